"""Benchmark families: declarative definitions, registered as entry points of ``morphtok.benchmarks``.

A family is data: its name, items per format, where it runs in the generation order, the
evaluation suites it belongs to, and its subtasks, each declared by keyword
(:class:`bench.subtask.Subtask`: the pool its words come from, the rule that gives the answer,
how MCQ options are made, which validator checks apply, why it is GEN only). The prompt
templates are a YAML file per family, one template per language code::

    family: composition
    subtasks:
      spell:
        prompt:
          en: "Spell the word '{word}' with a space between letters."
          tl: "Baybayin ang salitang '{word}' na may puwang sa pagitan ng mga titik."

morphtok's own families are declared in its ``pyproject.toml`` exactly as a plugin declares its
own, so a new family is one file (plus its prompts) and one registration::

    [project.entry-points."morphtok.benchmarks"]
    spelling_bee = "my_package.bench:SPELLING_BEE"     # a Family made with define()

Generation runs through the families in ``order`` (the seeded stream and the one prompt set
are shared, so the order is part of the output); a plugin's default order puts it after ours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path

import yaml

from morphtok.bench.subtask import FORMATS, Subtask
from morphtok.errors import BenchmarkError, ConfigError
from morphtok.registry import Registry

# The language every prompt must have: the evaluator's default and the de-duplication key.
BASE_LANGUAGE = "en"


@dataclass(frozen=True)
class Family:
    name: str
    subtasks: tuple[Subtask, ...]
    sizes: Mapping[str, int]  # default items per format, split over the subtasks (bench.sizes)
    order: int = 100
    suites: tuple[str, ...] = ()  # evaluation names that select this family too ("pacute")


FAMILIES: Registry[Family] = Registry("benchmark family", group="morphtok.benchmarks")


def define(name: str, *, subtasks: Sequence[Subtask], sizes: Mapping[str, int], prompts: str | Path | Mapping,
           order: int = 100, suites: Sequence[str] = ()) -> Family:
    """A family whose subtasks get their templates from ``prompts`` (a YAML path, or the parsed mapping)."""
    where = str(prompts) if isinstance(prompts, (str, Path)) else f"family {name}"
    templates = _read_prompts(prompts, name, where)
    declared = [task.name for task in subtasks]
    if len(set(declared)) != len(declared):
        raise BenchmarkError(f"family {name}: a subtask is declared twice ({', '.join(declared)})", where=where)
    extra = sorted(set(templates) - set(declared))
    missing = [task for task in declared if task not in templates]
    if extra or missing:
        raise BenchmarkError(f"family {name}: prompts for undeclared subtask(s) {extra} / declared subtask(s) "
                             f"without prompts {missing}", where=where)
    if set(sizes) != set(FORMATS) or not all(isinstance(n, int) and n >= 0 for n in sizes.values()):
        raise BenchmarkError(f"family {name}: sizes must give a count per format {FORMATS}, got {dict(sizes)}",
                             where=where)
    tasks = tuple(replace(task, family=name, prompt=templates[task.name]) for task in subtasks)
    return Family(name=name, subtasks=tasks, sizes=dict(sizes), order=order, suites=tuple(suites))


def _read_prompts(prompts: str | Path | Mapping, name: str, where: str) -> dict[str, dict[str, str]]:
    if isinstance(prompts, Mapping):
        data = prompts
    else:
        try:
            data = yaml.safe_load(Path(prompts).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as err:
            raise BenchmarkError(f"cannot read the prompts of family {name}: {err}", where=where) from None
    if not isinstance(data, Mapping) or data.get("family") != name or not isinstance(data.get("subtasks"), Mapping):
        raise BenchmarkError(f"a prompt file holds `family: {name}` and `subtasks: {{name: {{prompt: {{code: "
                             "template}}}}`", where=where)
    out = {}
    for subtask, entry in data["subtasks"].items():
        prompt = entry.get("prompt") if isinstance(entry, Mapping) else None
        if not isinstance(prompt, Mapping) or not all(isinstance(v, str) and v for v in prompt.values()):
            raise BenchmarkError(f"{name}/{subtask}: `prompt` must map language codes to templates", where=where)
        if BASE_LANGUAGE not in prompt:
            raise BenchmarkError(f"{name}/{subtask}: no '{BASE_LANGUAGE}' prompt (every item has one)", where=where)
        out[str(subtask)] = {str(code): text for code, text in prompt.items()}
    return out


def get(name: str) -> Family:
    try:
        family = FAMILIES.get(name)
    except ConfigError as err:
        raise BenchmarkError(f"unknown benchmark family {name!r}", hint=f"registered families: "
                             f"{', '.join(names())}") from err
    if not isinstance(family, Family) or family.name != name:
        raise BenchmarkError(f"benchmark family {name!r} is registered as {family!r}, not a Family named {name!r}",
                             hint="make it with morphtok.bench.family.define(...)")
    return family


def names() -> list[str]:
    """The registered families, in generation order."""
    return sorted(FAMILIES.names(), key=lambda name: (get(name).order, name))


def origin(name: str) -> str:
    """Where a family is registered: its entry point (``module:attribute``) or in-process."""
    point = next((p for p in entry_points(group=FAMILIES.group) if p.name == name), None)
    return point.value if point is not None else "registered in-process"


def suite_members(suite: str) -> list[str]:
    """The families an evaluation suite name (e.g. ``pacute``) selects."""
    return [name for name in names() if suite in get(name).suites]


def check_families(families: Sequence[str] | None) -> list[str]:
    """The families asked for (None: all, in generation order); an unknown or empty selection is an error."""
    if families is None:
        return names()
    known = FAMILIES.names()
    unknown = [f for f in families if f not in known]
    if unknown or not families:
        raise BenchmarkError(f"unknown benchmark famil{'y' if len(unknown) == 1 else 'ies'} "
                             f"{', '.join(map(repr, unknown)) or '(none given)'}",
                             hint=f"registered families: {', '.join(names())}")
    return list(families)


def subtasks(families: Sequence[str] | None = None) -> list[Subtask]:
    """The generator 2.0 subtasks of the given (default: all registered) families, in order."""
    return [task for name in check_families(families) for task in get(name).subtasks]


def subtask(family: str, name: str) -> Subtask | None:
    """A registered family's subtask, or None (an unregistered family or subtask)."""
    if family not in FAMILIES:
        return None
    return next((task for task in get(family).subtasks if task.name == name), None)
