"""Field constraints for config sections, the checker that runs them, and YAML 1.2 numbers.

A section declares a field's constraint once, next to the field::

    mode: str = field(default="both", metadata=one_of("mcq", "gen", "both"))
    lr: float = field(default=1e-4, metadata=above(0))
    sizes: dict[str, int] = field(default_factory=dict, metadata=each(at_least(0)))

and may add cross-field checks in a ``constraints()`` method yielding ``(field, message)``.
:func:`check_config` walks any dataclass tree and raises the first violation as a
:class:`ConfigError` naming the full key (``arms.patok.contract_prob: must sum to 1,
got 1.5``). The mechanism knows nothing about particular sections, so sections derived
from registries (issue #18) can declare constraints the same way.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import yaml

from morphtok.errors import ConfigError

Check = Callable[[Any], "str | None"]  # a value -> why it is not allowed, or None


def one_of(*allowed: str) -> dict[str, Check]:
    """Field metadata: the value must be one of ``allowed``."""
    return {"check": lambda v: None if v in allowed else f"must be one of {', '.join(allowed)}, got {v!r}"}


def one_of_lazy(describe: str, allowed: Callable[[], list[str]]) -> dict[str, Check]:
    """Field metadata: one of the names ``allowed()`` returns when checked (e.g. a registry's)."""
    def check(value: Any) -> str | None:
        names = allowed()
        return None if value in names else f"must be one of {', '.join(names)} ({describe}), got {value!r}"

    return {"check": check}


def at_least(minimum: float) -> dict[str, Check]:
    return {"check": lambda v: None if v >= minimum else f"must be >= {minimum:g}, got {v!r}"}


def above(minimum: float) -> dict[str, Check]:
    return {"check": lambda v: None if v > minimum else f"must be > {minimum:g}, got {v!r}"}


def fraction(*, below_one: bool = False, open_interval: bool = False) -> dict[str, Check]:
    """A probability: in [0, 1] (``below_one``: [0, 1); ``open_interval``: (0, 1))."""
    low_ok = (lambda v: v > 0) if open_interval else (lambda v: v >= 0)
    high_ok = (lambda v: v < 1) if below_one or open_interval else (lambda v: v <= 1)
    shown = "(0, 1)" if open_interval else "[0, 1)" if below_one else "[0, 1]"
    return {"check": lambda v: None if low_ok(v) and high_ok(v) else f"must be in {shown}, got {v!r}"}


def each(constraint: dict[str, Check]) -> dict[str, Check]:
    """Field metadata: ``constraint`` applies to every item of a list (``key[i]``) or mapping (``key.name``)."""
    return {"each": constraint["check"]}


def check_config(section: Any, *, where: str = "", path: str = "") -> None:
    """Check every field's declared constraint and each section's ``constraints()``; first failure raises."""
    if found := first_problem(section, path=path):
        raise ConfigError(f"{found[0]}: {found[1]}", where=where)


def first_problem(section: Any, *, path: str = "") -> tuple[str, str] | None:
    """``(full key, why)`` of the first value of ``section`` its declared constraints refuse, or None."""
    for item in dataclasses.fields(section):
        value, key = getattr(section, item.name), f"{path}.{item.name}" if path else item.name
        if dataclasses.is_dataclass(value):
            if found := first_problem(value, path=key):
                return found
            continue
        if value is None:
            continue
        if (check := item.metadata.get("check")) and (problem := check(value)):
            return key, problem
        if each_check := item.metadata.get("each"):
            entries = value.items() if isinstance(value, dict) else enumerate(value)
            for name, entry in entries:
                if problem := each_check(entry):
                    return (f"{key}.{name}" if isinstance(value, dict) else f"{key}[{name}]"), problem
    for name, problem in getattr(section, "constraints", lambda: ())():
        return f"{path + '.' if path else ''}{name}", problem
    return None


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2's float syntax (``1e-4``, ``.5``, ``1.``), ints unchanged."""


_FLOAT_TAG = "tag:yaml.org,2002:float"
_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _FLOAT_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(r"""^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?
                  |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.VERBOSE),
    list("-+0123456789."),
)


def parse_yaml(text: str) -> Any:
    """YAML as the config reads it (safe; YAML 1.2 numbers)."""
    return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 -- a SafeLoader subclass
