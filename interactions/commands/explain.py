"""check-meds explain NAME: what the knowledge base holds about a drug, rule or class."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from .options import DISCLAIMER, FormatOpt, RulesOpt, TextFormat

HELP = (
    "Explain a drug, rule or class: names, codes, classes (with parents and sources) and the rules a drug can "
    "trigger; a rule in full (slots, severity, effect, mechanism, management, evidence, references, examples); "
    "a class's members.\n\n"
    "NAME is tried as a drug name first (brand, salt, code or combination product too), then a rule id or alias, "
    "then a class id or name; prefix it with drug:, rule: or class: to choose. Exits 4 when NAME is unknown or "
    f"ambiguous.\n\n{DISCLAIMER}"
)


def explain_cmd(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A drug name, rule id or class id (drug:, rule:, class: to choose).")],
    fmt: FormatOpt = TextFormat.text,
    rules: RulesOpt = None,
) -> int:
    from ..cliutil import load_kb
    from ..describe import lookup
    from ..exitcodes import ExitCode
    from ..reporters.explain_format import RENDER

    kb = load_kb(rules)
    doc = lookup(name, kb)
    width = int(os.environ.get("COLUMNS", "0") or 0) or 80
    sys.stdout.write(RENDER[fmt.value](doc, kb, width))
    return int(ExitCode.INCOMPLETE if doc["kind"] in ("unknown", "ambiguous") else ExitCode.OK)
