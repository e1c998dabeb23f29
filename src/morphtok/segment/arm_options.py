"""CLI flags derived from the arms' declared ``Params`` (``--expand-prop``, ``--contract-prop``, ...).

typer builds a command's options from its callback's signature. :class:`ArmOptions` wraps a
callback and answers ``inspect.signature`` with the callback's own parameters plus one
``--<param>`` option per parameter any registered arm declares (its type and ``help`` from the
arm's dataclass field). typer reads the signature each time the app runs, so an arm registered
by a plugin, or in-process, gets its flags without editing a CLI.

The wrapped callback receives the flags the user gave as ``arm_params`` (a dict); it checks them
against the chosen arm with :func:`params_for`, so a flag of another arm is an error naming both.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

import typer

from morphtok.errors import ParameterError
from morphtok.segment.processor import arm_parameters, processor_class

ARM_PARAMS = "arm_params"  # the wrapped callback's keyword for the flags given


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def declared_options() -> dict[str, tuple[Any, str, list[str]]]:
    """Parameter name -> (its type, its help, the arms that declare it), over every registered arm."""
    options: dict[str, tuple[Any, str, list[str]]] = {}
    for arm, fields in arm_parameters().items():
        for item, resolved in fields:
            kind, helps, arms = options.get(item.name, (resolved, "", []))
            text = item.metadata.get("help", "")
            helps = helps if text in helps.split(" / ") else " / ".join(filter(None, [helps, text]))
            options[item.name] = (kind, helps, [*arms, arm])
    return options


class ArmOptions:
    """A typer callback: ``func``'s own options plus one per arm parameter (see module docstring)."""

    def __init__(self, func: Callable[..., Any]):
        self.func = func
        self.__name__ = func.__name__
        self.__doc__ = func.__doc__
        self.__module__ = func.__module__

    def _own(self) -> list[inspect.Parameter]:
        return [p for p in inspect.signature(self.func, eval_str=True).parameters.values() if p.name != ARM_PARAMS]

    def _derived(self) -> list[inspect.Parameter]:
        own = self._own()
        taken_flags = {decl for p in own if isinstance(p.default, typer.models.ParameterInfo)
                       for decl in (p.default.param_decls or ())}
        derived = []
        for name, (kind, text, arms) in declared_options().items():
            if name in {p.name for p in own} or flag(name) in taken_flags:
                raise ParameterError(f"parameter '{name}' of arm(s) {', '.join(arms)} clashes with the "
                                     f"command's own option {flag(name)}", hint="rename the arm's parameter")
            shown = ", ".join(processor_class(arm).label or arm for arm in arms)
            option = typer.Option(None, flag(name), help=f"{text} (arms: {shown})".strip())
            derived.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option,
                                             annotation=kind | None))
        return derived

    @property
    def __signature__(self) -> inspect.Signature:
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in self._own()]
        return inspect.Signature([*own, *self._derived()])

    @property
    def __annotations__(self) -> dict[str, Any]:  # typing.get_type_hints reads these
        return {p.name: p.annotation for p in self.__signature__.parameters.values()}

    def __call__(self, **values: Any) -> Any:
        own = {p.name for p in self._own()}
        given = {k: v for k, v in values.items() if k not in own and v not in (None, [], ())}
        return self.func(**{k: v for k, v in values.items() if k in own}, **{ARM_PARAMS: given})


def params_for(method: str, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` flags, refused with an error naming the arm when ``method`` does not declare one."""
    arm = processor_class(method)
    declared = [item.name for item in dataclasses.fields(arm.Params)]
    foreign = [name for name in given if name not in declared]
    if foreign:
        raise ParameterError(
            f"{', '.join(flag(n) for n in foreign)}: not a parameter of arm '{method}'",
            hint=f"'{method}' takes {', '.join(flag(n) for n in declared) or 'no parameters'}",
        )
    return {name: list(value) if isinstance(value, tuple) else value for name, value in given.items()}
