"""Option types shared by the commands, so every command spells them the same way."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from ..severity import SEVERITIES
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
                                annotation=Annotated[list[str], typer.Argument(metavar=argument.metavar, help=argument.help,
                                                                               autocompletion=complete_medication)])]
    enums = {}
    for p in options:
        extra = {}
        if p.flag:
            kind, default = bool, bool(p.default)
        elif p.choices is not None:
            kind = _ENUMS.get(p.choices) or Enum(p.name.title(), {c: c for c in p.choices}, type=str)
            enums[p.name] = kind
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


_SEVERITY_WORDS = frozenset((*SEVERITIES, "none"))


def choice_help(param) -> None:
    """Show a choice option as ``--fail-on SEVERITY`` with its choices as words in the help text.

    Help tables wrap at spaces; a choice list written as one word
    ('[minor|moderate|major|contraindicated|none]') is broken mid-word when
    the column is narrow, so the choices go where they wrap between words.
    """
    choices = getattr(param.type, "choices", None)
    if not choices or getattr(param, "param_type_name", "") != "option":
        return
    words = [str(getattr(c, "value", c)) for c in choices]
    if param.metavar is None:
        param.metavar = "SEVERITY" if set(words) <= _SEVERITY_WORDS else max(param.opts, key=len).lstrip("-").upper()
    text = param.help or ""
    if not all(f"'{w}'" in text for w in words):
        param.help = f"{text} One of: {', '.join(words)}.".strip()


def complete_medication(incomplete: str) -> list[str]:
    """Shell completion of a medication: known names (site rules' too) that start with what was typed.

    Runs only when the shell asks (typer's completion), never on a check, so
    it costs the check no start-up time.
    """
    if incomplete.startswith("-"):
        return []
    try:
        from ..cliutil import site_dirs
        from ..kb import load_knowledge_base

        kb = load_knowledge_base(site_dirs(None))
    except Exception:  # noqa: BLE001 - a completion never prints an error into the command line being typed
        return []
    typed = incomplete.lower()
    return sorted(n for n in kb.names if n.startswith(typed) and not n.startswith("rxcui:"))[:200]
