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
