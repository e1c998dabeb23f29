"""A small name -> class registry, with lm-evaluation-harness's rules.

Registering a duplicate name is an error, and a miss answers with the names that exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from morphtok.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, name: str, base_cls: type | None = None):
        self.name = name
        self.base_cls = base_cls
        self._entries: dict[str, T] = {}

    def register(self, *names: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if self.base_cls is not None and isinstance(obj, type) and not issubclass(obj, self.base_cls):
                raise TypeError(f"{obj!r} must subclass {self.base_cls.__name__} to join {self.name}")
            for key in names:
                if key in self._entries:
                    raise ValueError(f"{self.name}: '{key}' is already registered")
                self._entries[key] = obj
            return obj

        return decorator

    def get(self, key: str) -> T:
        try:
            return self._entries[key]
        except KeyError:
            available = ", ".join(sorted(self._entries)) or "(none)"
            raise ConfigError(
                f"unknown {self.name} '{key}'", hint=f"available: {available}"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries
