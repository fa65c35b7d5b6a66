"""check-meds batch: many medication lists in one run (registered by cli.build_app)."""

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ..exitcodes import EXIT_CODES_HELP
from .options import DISCLAIMER, FailOn, RulesOpt, Severity


class BatchFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class Detail(str, Enum):
    brief = "brief"
    full = "full"


class InputFormat(str, Enum):
    auto = "auto"
    csv = "csv"
    tsv = "tsv"
    csv_wide = "csv-wide"
    text = "text"
    jsonl = "jsonl"
    fhir = "fhir"
    xlsx = "xlsx"


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
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Processes (0, the default: one for an input under 8 MB or a pipe, else one per idle core; 1: this process only).")] = 0,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on standard error (only when it is a terminal).")] = True,
    details: Annotated[int, typer.Option("--details", min=0, metavar="N", help="Table: how many of the most severe lists to show in full.")] = 20,
    sheet: Annotated[Optional[str], typer.Option("--sheet", metavar="NAME", help="Workbook (.xlsx) input: the sheet to read (default: the first).")] = None,
    merge: Annotated[bool, typer.Option("--merge/--no-merge", help="Rows of one id in a wide CSV or JSON Lines file: one list (default), or a list each.")] = True,
    include_inactive: Annotated[bool, typer.Option("--include-inactive", help="FHIR: also check stopped and completed medications, and dispenses or administrations over 90 days old.")] = False,
    detail: Annotated[Detail, typer.Option("--detail", help="jsonl and csv: 'full' findings (effect, mechanism, management, references), or 'brief' (rule, severity, title, drugs, inputs).")] = Detail.full,
) -> int:
    from interactions.batch.session import BatchOptions, run_batch
    from interactions.cliutil import terminal_width, use_rich_output

    chosen = fmt.value if fmt is not None else ("table" if _stdout_is_terminal() else "jsonl")
    width = terminal_width(100)
    opts = BatchOptions(
        file, input_format.value, id_column, med_column, chosen, fail_on.value, min_severity.value, age, rules, jobs, progress, details,
        color=chosen == "table" and use_rich_output(), width=width, sheet=sheet, merge=merge, include_inactive=include_inactive, detail=detail.value,
    )
    return int(run_batch(opts))


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


BATCH_HELP = dict(
    help=(
        "Check many medication lists in one run: a care home, a dispensing export.\n\n"
        "FILE ('-' for standard input) is CSV/TSV with a row per medication (columns patient_id/id and "
        "medication/drug/name), CSV with a list per row (id, then medications separated by ';' or '|'), "
        "text with a list per line (medications separated by commas), JSON Lines ({\"id\": ..., \"medications\": [...], "
        "\"age\": ...}), a FHIR R4 Bundle or NDJSON of MedicationRequest/MedicationStatement resources (current ones only, "
        "unless --include-inactive), or an .xlsx workbook (with the xlsx extra). CSV may be comma-, semicolon- or tab-separated, "
        "UTF-8 or UTF-16; the columns used are named on standard error. "
        "Every list is reported exactly once, in input order; a list that cannot be read gets an error entry "
        "with its line number and the run goes on. The exit code covers the whole run (an error entry counts as incomplete).\n\n"
        f"{DISCLAIMER}"
    ),
    epilog=EXIT_CODES_HELP.replace("\n", "\n\n"),
)
