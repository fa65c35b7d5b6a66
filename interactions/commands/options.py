"""Option types shared by the commands, so every command spells them the same way."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from .. import DISCLAIMER  # noqa: F401 - re-exported for the command modules



class TextFormat(str, Enum):
    text = "text"
    json = "json"


class Severity(str, Enum):
    minor = "minor"
    moderate = "moderate"
    major = "major"
    contraindicated = "contraindicated"


class FailOn(str, Enum):
    minor = "minor"
    moderate = "moderate"
    major = "major"
    contraindicated = "contraindicated"
    none = "none"


FormatOpt = Annotated[TextFormat, typer.Option("--format", "-f", help="Output format.")]

RulesOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--rules",
        metavar="DIR",
        help="Also load this directory of rule files (repeatable; also CHECK_MEDS_RULES and the config file's 'rules').",
    ),
]


_ENUMS = {tuple(m.value for m in e): e for e in (TextFormat, Severity, FailOn)}


def typer_command(argument, options, body):
    """A typer command function for ``body`` from a plain declaration (see interactions/commands/check.py).

    typer reads the signature built here (Annotated types with typer.Argument and
    typer.Option), so the declaration is the only place the options are spelt;
    choices become the shared Enum types (``--format [text|json]`` in help), and
    ``body`` receives plain values.
    """
    import inspect

    params = [inspect.Parameter(argument.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=Annotated[list[str], typer.Argument(metavar=argument.metavar, help=argument.help)])]
    enums = {}
    for p in options:
        extra = {}
        if p.choices is not None:
            kind = enums[p.name] = _ENUMS.get(p.choices) or Enum(p.name, {c: c for c in p.choices}, type=str)
            default = kind(p.default)
        elif p.int_range is not None:
            kind, default = Optional[int], p.default
            extra = {"min": p.int_range[0], "max": p.int_range[1]}
        elif p.multiple:
            kind, default = Optional[list[str]], p.default
        else:
            kind, default = Optional[str], p.default
        if p.metavar:
            extra["metavar"] = p.metavar
        option = typer.Option(*p.flags, help=p.help, **extra)
        params.append(inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=Annotated[kind, option]))

    def command(**kwargs):
        return body(**{k: (v.value if k in enums else v) for k, v in kwargs.items()})

    command.__signature__ = inspect.Signature(params, return_annotation=int)
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = command.__qualname__ = body.__name__
    return command
