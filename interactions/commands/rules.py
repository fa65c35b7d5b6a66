"""check-meds rules list | validate | test | schema: inspect and check rule files."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from .options import DISCLAIMER, FormatOpt, RulesOpt, Severity, TextFormat

PathsArg = Annotated[
    Optional[list[str]],
    typer.Argument(metavar="[PATH]...", help="Site rule directories, loaded on top of the shipped knowledge base (default: those configured)."),
]

rules_app = typer.Typer(
    name="rules",
    add_completion=False,
    no_args_is_help=True,
    help=f"List, validate and test the knowledge base's rules, or a site's rule directory.\n\n{DISCLAIMER}",
)


def _extra(paths: list[str] | None) -> list[str]:
    """The site directories a command works on: PATHs if given, else those configured (--rules, env, config file)."""
    from ..cliutil import site_dirs
    from ..kb import check_rule_dirs

    dirs = list(paths) if paths else site_dirs(None)
    check_rule_dirs(dirs)  # a wrong path is a usage error (exit 2), not a problem at a line of a rule file
    return dirs


@rules_app.command("list", help="List rules, most severe first, optionally filtered (filters combine).")
def list_cmd(
    severity: Annotated[Optional[list[Severity]], typer.Option("--severity", "-s", help="Only this severity (repeatable).")] = None,
    class_id: Annotated[Optional[str], typer.Option("--class", "-c", metavar="CLASS", help="Only rules a member of CLASS can trigger through it.")] = None,
    drug: Annotated[Optional[str], typer.Option("--drug", "-d", metavar="NAME", help="Only rules this drug can trigger (any name that resolves).")] = None,
    text: Annotated[Optional[str], typer.Option("--text", "-t", help="Only rules whose id, title, effect, mechanism, management or notes contain TEXT.")] = None,
    fmt: FormatOpt = TextFormat.text,
    rules: RulesOpt = None,
) -> int:
    from ..cliutil import err, load_kb
    from ..describe import find_class, rule_summary, select_rules, suggest
    from ..errors import CheckMedsError
    from ..exitcodes import ExitCode
    from ..normalize import resolve
    from ..reporters.rules_format import LIST

    kb = load_kb(rules)
    cid = None
    if class_id is not None:
        cid = find_class(class_id, kb)
        if cid is None:
            hints = [s.partition(":")[2] for s in suggest(class_id, kb, "class")]
            raise CheckMedsError(f"unknown class {class_id!r}" + (f"; did you mean {', '.join(hints)}?" if hints else ""), ExitCode.USAGE)
    tags = None
    if drug is not None:
        res = resolve(drug, kb)
        if not res.ok:
            hints = list(res.candidates) or suggest(drug, kb, "drug")
            err(f"{drug!r} not recognised" + (f": did you mean {', '.join(hints)}?" if hints else "") + "; nothing was listed")
            return int(ExitCode.INCOMPLETE)
        tags = frozenset().union(*(kb.tags(d) for d in res.drugs))
    ids = select_rules(kb, [s.value for s in severity or ()], cid, tags, text)
    filters = {"severity": ",".join(s.value for s in severity or ()), "class": cid, "drug": drug, "text": text}
    sys.stdout.write(LIST[fmt.value]([rule_summary(r, kb) for r in ids], kb, filters))
    return 0


@rules_app.command(
    "validate",
    help=(
        "Validate rule files: the shipped knowledge base, plus each PATH (or the configured site directories) "
        "on top of it, as a check would load them. Prints every problem as path:line: message; exits 3 when "
        "there is any, 0 when the rules are valid."
    ),
)
def validate_cmd(paths: PathsArg = None, fmt: FormatOpt = TextFormat.text) -> int:
    from ..errors import InvalidRulesError
    from ..exitcodes import ExitCode
    from ..kb import compile_dirs, rule_dirs
    from ..paths import rule_files
    from ..reporters.rules_format import VALIDATE

    dirs = rule_dirs(_extra(paths))
    report = {
        "directories": ["rules" if shipped else d for d, shipped in dirs],
        "files": sum(len(rule_files(d)) for d, _ in dirs if os.path.isdir(d)),
        "problems": [],
        "data": None,
        "disabled": {},
    }
    try:
        report["data"] = compile_dirs(dirs)
        report["disabled"] = report["data"]["disabled"]
    except InvalidRulesError as exc:
        report["problems"] = exc.problems
    sys.stdout.write(VALIDATE[fmt.value](report))
    return int(ExitCode.INVALID_RULES if report["problems"] else ExitCode.OK)


@rules_app.command(
    "test",
    help=(
        "Run every rule's examples (shipped, plus each PATH or the configured site directories): each 'match' "
        "list must fire its rule and each 'no_match' list must not. Prints failures as path:line: message; "
        "exits 1 on a failure, 3 on invalid rules."
    ),
)
def test_cmd(paths: PathsArg = None, fmt: FormatOpt = TextFormat.text) -> int:
    from ..examples import run_examples
    from ..exitcodes import ExitCode
    from ..kb import load_knowledge_base
    from ..reporters.rules_format import TEST

    kb = load_knowledge_base(_extra(paths))
    n, failures = run_examples(kb)
    sys.stdout.write(TEST[fmt.value]({"examples": n, "failures": failures}, kb))
    return int(ExitCode.FINDINGS if failures else ExitCode.OK)


@rules_app.command("schema", help="Print the JSON Schema of rule files (for editors), or with --path where it is installed.")
def schema_cmd(path: Annotated[bool, typer.Option("--path", help="Print the schema file's path instead.")] = False) -> int:
    from ..paths import schema_path

    if path:
        sys.stdout.write(schema_path() + "\n")
    else:
        with open(schema_path(), encoding="utf-8") as fh:
            sys.stdout.write(fh.read())
    return 0
