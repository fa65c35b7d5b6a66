"""check-meds: the command line. Parse, load, check, render, exit; nothing else.

Supports, and does not replace, professional judgement.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from interactions import __version__
from interactions.commands.options import DISCLAIMER, FormatOpt, RulesOpt, Severity, TextFormat
from interactions.exitcodes import EXIT_CODES_HELP, ExitCode

app = typer.Typer(
    name="check-meds",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help=(
        "Offline drug-interaction checker: severity-ranked, cited warnings for a medication list.\n\n"
        "Usage: check-meds MED [MED ...]   (the 'check' command is the default)\n\n"
        f"{DISCLAIMER}"
    ),
    epilog=EXIT_CODES_HELP.replace("\n", "\n\n"),
)


class FailOn(str, Enum):
    minor = "minor"
    moderate = "moderate"
    major = "major"
    contraindicated = "contraindicated"
    none = "none"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"check-meds {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    pass


@app.command(
    "check",
    help=(
        "Check one medication list (the default command).\n\n"
        "MEDS are names as written: generic, brand, international, with doses ('Baclofen 10mg tablets'), "
        "combination products ('Percocet') or RxNorm codes ('rxcui:1292'). Use '-' to read one medication "
        f"per line from standard input.\n\n{DISCLAIMER}"
    ),
    epilog=EXIT_CODES_HELP.replace("\n", "\n\n"),
)
def check_cmd(
    meds: Annotated[list[str], typer.Argument(metavar="MED...", help="Medications to check ('-' reads standard input).")],
    fmt: FormatOpt = TextFormat.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity ('none': never).")] = FailOn.minor,
    min_severity: Annotated[Severity, typer.Option("--min-severity", help="Hide findings below this severity from the display (JSON summary still counts them).")] = Severity.minor,
    age: Annotated[Optional[int], typer.Option("--age", min=0, max=130, help="Patient age in years; enables age-dependent rules (Beers criteria, 65+).")] = None,
    rules: RulesOpt = None,
) -> int:
    from interactions.cliutil import expand_meds, load_kb, use_rich_output
    from interactions.engine import check
    from interactions.errors import CheckMedsError
    from interactions.outcome import exit_code

    meds = expand_meds(meds)
    if not meds:
        raise CheckMedsError("no medications given (pass names, or '-' to read them from standard input)", ExitCode.USAGE)
    kb = load_kb(rules)
    result = check(meds, kb, age=age)
    if fmt is TextFormat.json:
        from interactions.reporters.json_format import render

        sys.stdout.write(render(result, kb, min_severity.value))
    elif use_rich_output():
        from interactions.reporters.text_format import render_rich
        from rich.console import Console

        render_rich(result, kb, Console(highlight=False), min_severity.value)
    else:
        from interactions.reporters.text_format import render_plain

        width = int(os.environ.get("COLUMNS", "0") or 0) or 80
        sys.stdout.write(render_plain(result, kb, width, min_severity.value))
    return int(exit_code([result], fail_on.value))


@app.command("info", help=f"Show what the knowledge base holds: drugs, names, classes, rules by severity, version.\n\n{DISCLAIMER}")
def info_cmd(
    fmt: FormatOpt = TextFormat.text,
    rules: RulesOpt = None,
) -> int:
    from interactions.cliutil import load_kb
    from interactions.reporters.info_format import render_json, render_text

    kb = load_kb(rules)
    sys.stdout.write(render_json(kb) if fmt is TextFormat.json else render_text(kb))
    return 0


class BatchFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class InputFormat(str, Enum):
    auto = "auto"
    csv = "csv"
    tsv = "tsv"
    csv_wide = "csv-wide"
    text = "text"
    jsonl = "jsonl"
    fhir = "fhir"


@app.command(
    "batch",
    help=(
        "Check many medication lists in one run: a care home, a dispensing export.\n\n"
        "FILE ('-' for standard input) is CSV/TSV with a row per medication (columns patient_id/id and "
        "medication/drug/name), CSV with a list per row (id, then medications separated by ';' or '|'), "
        "text with a list per line (medications separated by commas), JSON Lines ({\"id\": ..., \"medications\": [...], "
        "\"age\": ...}), or a FHIR R4 Bundle or NDJSON of MedicationRequest/MedicationStatement resources. "
        "Every list is reported exactly once, in input order; a list that cannot be read gets an error entry "
        "with its line number and the run goes on. The exit code covers the whole run (an error entry counts as incomplete).\n\n"
        f"{DISCLAIMER}"
    ),
    epilog=EXIT_CODES_HELP.replace("\n", "\n\n"),
)
def batch_cmd(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Input file, or '-' for standard input.")],
    input_format: Annotated[InputFormat, typer.Option("--input-format", "-i", help="Input format; 'auto' decides from the extension and the first lines.")] = InputFormat.auto,
    id_column: Annotated[Optional[str], typer.Option("--id-column", metavar="NAME", help="CSV column holding the list (patient) id.")] = None,
    med_column: Annotated[Optional[str], typer.Option("--med-column", metavar="NAME", help="CSV column holding the medication(s).")] = None,
    fmt: Annotated[Optional[BatchFormat], typer.Option("--format", "-f", help="Output: 'table' (default on a terminal), 'jsonl' (default otherwise: one document per list), 'csv' (a row per finding).")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when any list has a finding at or above this severity ('none': never).")] = FailOn.minor,
    min_severity: Annotated[Severity, typer.Option("--min-severity", help="Hide findings below this severity from the output (summaries still count them).")] = Severity.minor,
    age: Annotated[Optional[int], typer.Option("--age", min=0, max=130, help="Age in years for lists that do not give one.")] = None,
    rules: RulesOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Worker processes for large inputs (0: one per core).")] = 1,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on standard error (only when it is a terminal).")] = True,
    details: Annotated[int, typer.Option("--details", min=0, metavar="N", help="Table: how many of the most severe lists to show in full.")] = 20,
) -> int:
    from interactions.batch.session import BatchOptions, run_batch
    from interactions.cliutil import use_rich_output

    chosen = fmt.value if fmt is not None else ("table" if _stdout_is_terminal() else "jsonl")
    width = int(os.environ.get("COLUMNS", "0") or 0) or 100
    opts = BatchOptions(
        file, input_format.value, id_column, med_column, chosen, fail_on.value, min_severity.value, age, rules, jobs, progress, details,
        color=chosen == "table" and use_rich_output(), width=width,
    )
    return int(run_batch(opts))


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


from interactions.commands.explain import HELP as _EXPLAIN_HELP, explain_cmd  # noqa: E402
from interactions.commands.rules import rules_app  # noqa: E402

app.command("explain", help=_EXPLAIN_HELP)(explain_cmd)
app.add_typer(rules_app, name="rules")

SUBCOMMANDS = {"check", "info", "batch", "explain", "rules"}
TOP_LEVEL = {"--help", "-h", "--version"}


def route(args: list[str]) -> list[str]:
    """Make 'check' the default command: 'check-meds baclofen alcohol' == 'check-meds check baclofen alcohol'."""
    if not args or args[0] in SUBCOMMANDS or args[0] in TOP_LEVEL:
        return args
    return ["check", *args]


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; never lets a traceback reach the user."""
    from interactions.errors import CheckMedsError, InvalidRulesError
    from typer._click.exceptions import ClickException

    args = route(list(sys.argv[1:] if argv is None else argv))
    try:
        rv = app(args=args, prog_name="check-meds", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except ClickException as exc:
        from interactions.cliutil import err

        if exc.format_message():  # empty after the help a bare 'check-meds' or 'check-meds rules' printed
            err(f"error: {exc.format_message()}")
            sys.stderr.write("Try 'check-meds --help' for help.\n")
        return ExitCode.USAGE if exc.exit_code == 2 else int(exc.exit_code)
    except InvalidRulesError as exc:
        from interactions.cliutil import report_invalid

        report_invalid(exc)
        return ExitCode.INVALID_RULES
    except CheckMedsError as exc:
        from interactions.cliutil import err

        err(str(exc))
        return int(exc.code)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("\ncheck-meds: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return 141  # 128 + SIGPIPE, as a shell reports a reader that went away
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("CHECK_MEDS_DEBUG"):
            raise
        from interactions.cliutil import err

        err(f"internal error: {type(exc).__name__}: {exc} (this is a bug in check-meds; please report it, "
            "with CHECK_MEDS_DEBUG=1 for the details)")
        return ExitCode.INTERNAL


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = 141
    sys.exit(code)


if __name__ == "__main__":
    main()
