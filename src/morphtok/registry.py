"""Name -> object registries backed by Python entry points (the ecosystem's plugin mechanism).

Each registry has an entry-point group (``morphtok.arms``, ``morphtok.languages``,
``morphtok.benchmarks``, ``morphtok.schedulers``, ``morphtok.lr_schedules``). morphtok's own
built-ins are declared in its ``pyproject.toml`` exactly as a third-party package declares
its own::

    [project.entry-points."morphtok.arms"]
    mysplit = "my_package.arm:MySplitArm"

so adding an arm, a language, a benchmark family, a scheduler or an LR schedule never edits
morphtok. Entry points are loaded lazily, on the first lookup of their name, so importing a
registry imports none of its members (no import cycles between a registry and its entries).

As in lm-evaluation-harness, registering a name twice is an error and a miss answers with
the names that exist. :meth:`Registry.register` also registers in-process (tests, notebooks).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeVar

from morphtok.errors import ConfigError

T = TypeVar("T")

GROUPS = ("morphtok.arms", "morphtok.languages", "morphtok.benchmarks", "morphtok.schedulers",
          "morphtok.lr_schedules")


def _discover(group: str) -> dict[str, EntryPoint]:
    """The group's entry points on the current ``sys.path`` (a plugin added to it is seen at once)."""
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=group):
        found.setdefault(point.name, point)  # first on sys.path wins, as for imports
    return found


_BY_GROUP: dict[str, Registry] = {}


def group_names(group: str) -> list[str]:
    """The names registered in ``group`` (declaration order) without importing the module that owns its registry.

    The config (a shared module, below every phase) checks ``arms.names``, ``bench.families`` and
    ``train.lr_schedule`` through this: in-process registrations live in the group's registry,
    which exists once its module is imported; otherwise the entry points are the whole answer.
    """
    registry = _BY_GROUP.get(group)
    return registry.ordered() if registry is not None else list(_discover(group))


def group_get(group: str, name: str) -> Any:
    """The entry ``name`` of ``group`` (loading its entry point; the module owning the group's
    registry is imported by the entry itself, never by the caller)."""
    registry = _BY_GROUP.get(group)
    if registry is not None:
        return registry.get(name)
    point = _discover(group).get(name)
    if point is None:
        raise ConfigError(f"unknown {group.split('.')[-1]} entry '{name}'",
                          hint=f"available: {', '.join(sorted(_discover(group))) or '(none)'}")
    entry = point.load()  # importing the entry's module creates the group's registry, which checks it
    return _BY_GROUP[group].get(name) if group in _BY_GROUP else entry


class Registry(Generic[T]):
    """Entries by name: in-process registrations, then the entry points of ``group``."""

    def __init__(self, name: str, base_cls: type | None = None, group: str | None = None,
                 aliases: dict[str, str] | None = None):
        if group is not None and group not in GROUPS:
            raise ValueError(f"unknown entry-point group {group!r}; morphtok's groups: {', '.join(GROUPS)}")
        if group is not None and group in _BY_GROUP:
            raise ValueError(f"entry-point group {group!r} already has its registry ({_BY_GROUP[group].name})")
        self.name = name
        self.base_cls = base_cls
        self.group = group
        self.aliases = dict(aliases or {})  # other spellings of a name (the seed's "vanilla" = baseline)
        self._entries: dict[str, T] = {}
        self._points: tuple[tuple[str, ...], dict[str, EntryPoint]] | None = None
        if group is not None:
            _BY_GROUP[group] = self

    def register(self, *names: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            for key in names:
                if key in self._entries:
                    raise ValueError(f"{self.name}: '{key}' is already registered")
                self._entries[key] = self._checked(key, obj)
            return obj

        return decorator

    def unregister(self, name: str) -> None:
        """Drop an in-process registration (tests)."""
        self._entries.pop(name, None)

    def get(self, key: str) -> T:
        key = self.aliases.get(key, key)
        if key in self._entries:
            return self._entries[key]
        point = self._entry_points().get(key)
        if point is None:
            raise ConfigError(f"unknown {self.name} '{key}'", hint=f"available: {', '.join(self.names()) or '(none)'}")
        try:
            obj = point.load()
        except Exception as err:  # a broken plugin names itself, not a bare ImportError
            raise ConfigError(f"{self.name} '{key}' could not be loaded from {point.value} ({err})",
                              hint=f"entry point group {self.group}") from err
        self._entries[key] = self._checked(key, obj)
        return self._entries[key]

    def names(self) -> list[str]:
        return sorted(set(self._entries) | set(self._entry_points()))

    def ordered(self) -> list[str]:
        """Names in declaration order: entry points as their packages list them, then in-process ones."""
        points = list(self._entry_points())
        return points + [name for name in self._entries if name not in points]

    def __contains__(self, key: object) -> bool:
        key = self.aliases.get(key, key) if isinstance(key, str) else key
        return key in self._entries or key in self._entry_points()

    def _checked(self, key: str, obj: T) -> T:
        if self.base_cls is not None and isinstance(obj, type) and not issubclass(obj, self.base_cls):
            raise TypeError(f"{self.name} '{key}': {obj!r} must subclass {self.base_cls.__name__}")
        return obj

    def _entry_points(self) -> dict[str, EntryPoint]:
        if self.group is None:
            return {}
        path = tuple(sys.path)
        if self._points is None or self._points[0] != path:
            self._points = (path, _discover(self.group))
        return self._points[1]
