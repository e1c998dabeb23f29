"""The affix inventory, read from ``data/affixes.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Affix:
    form: str
    type: str  # prefix | infix | suffix | circumfix
    allomorphs: tuple[str, ...] = ()
    assimilating: bool = False
    notes: str = ""
    suffix: str = ""  # circumfixes only

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.form, *self.allomorphs)


@dataclass(frozen=True)
class Inventory:
    prefixes: tuple[Affix, ...]
    infixes: tuple[Affix, ...]
    suffixes: tuple[Affix, ...]
    circumfixes: tuple[Affix, ...] = field(default=())

    def prefix_forms(self) -> dict[str, Affix]:
        """Every surface prefix form (allomorphs included) -> its affix."""
        return {form: affix for affix in self.prefixes for form in affix.forms}

    def all(self) -> tuple[Affix, ...]:
        return self.prefixes + self.infixes + self.suffixes + self.circumfixes


@lru_cache(maxsize=1)
def inventory() -> Inventory:
    text = (resources.files("morphtok.lang.fil") / "data" / "affixes.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)

    def build(kind: str, items: list[dict]) -> tuple[Affix, ...]:
        out = []
        for item in items:
            form = item.get("form") or item["prefix"]
            out.append(
                Affix(
                    form=form,
                    type=kind,
                    allomorphs=tuple(item.get("allomorphs", ())),
                    assimilating=bool(item.get("assimilating", False)),
                    notes=str(item.get("notes", "")),
                    suffix=item.get("suffix", ""),
                )
            )
        return tuple(out)

    return Inventory(
        prefixes=build("prefix", data["prefixes"]),
        infixes=build("infix", data["infixes"]),
        suffixes=build("suffix", data["suffixes"]),
        circumfixes=build("circumfix", data["circumfixes"]),
    )
