"""check-meds explain NAME | explain A B ...: what the knowledge base holds, and why drugs do or do not interact."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from .options import DISCLAIMER, FormatOpt, RulesOpt, TextFormat

HELP = (
    "Explain a drug, rule or class: names, codes, classes (with parents and sources) and the rules a drug can "
    "trigger; a rule in full (slots, severity, effect, mechanism, management, evidence, references, examples); "
    "a class's members.\n\n"
    "NAME is tried as a drug name first (brand, salt, code or combination product too), then a rule id or alias, "
    "then a class id or name; prefix it with drug:, rule: or class: to choose.\n\n"
    "With two or more medications (explain warfarin fluconazole): the rules that fire and, for each, which slot "
    "each drug filled and through which class or name; the pairs no rule joins, with each drug's classes and the "
    "knowledge-base version.\n\n"
    f"Exits 4 when a name is unknown or ambiguous.\n\n{DISCLAIMER}"
)


def explain_cmd(
    names: Annotated[list[str], typer.Argument(metavar="NAME...", help="A drug name, rule id or class id (drug:, rule:, class: to choose); or two or more medications.")],
    fmt: FormatOpt = TextFormat.text,
    age: Annotated[Optional[int], typer.Option("--age", min=0, max=130, help="Patient age in years, for two or more medications (age-dependent rules).")] = None,
    rules: RulesOpt = None,
) -> int:
    from ..cliutil import load_kb
    from ..describe import explain_list, lookup
    from ..exitcodes import ExitCode
    from ..reporters.explain_format import RENDER

    kb = load_kb(rules)
    if len(names) == 1:
        doc = lookup(names[0], kb)
        incomplete = doc["kind"] in ("unknown", "ambiguous")
    else:
        doc = explain_list(names, kb, age=age)
        incomplete = bool(doc["unrecognized"])
    width = int(os.environ.get("COLUMNS", "0") or 0) or 80
    sys.stdout.write(RENDER[fmt.value](doc, kb, width))
    return int(ExitCode.INCOMPLETE if incomplete else ExitCode.OK)
