"""check-meds: the command line. Parse, load, check, render, exit; nothing else.

Supports, and does not replace, professional judgement.
"""


import os
import sys
from typing import Annotated, Optional

import typer

from interactions import __version__
from interactions.commands import COMMANDS, TOP_LEVEL, TYPO_SIMILARITY, near_command
from interactions.commands.check import ARGUMENT, OPTIONS, run_check
from interactions.commands.options import DISCLAIMER, FormatOpt, RulesOpt, TextFormat, typer_command
from interactions.exitcodes import EXIT_CODES_HELP, ExitCode

def _version(value: bool) -> None:
    """``--version``: the program's version and the knowledge base's (and each site rule set's) it would check with."""
    if value:
        from interactions.cliutil import load_kb

        info = load_kb(None).info
        lines = [f"check-meds {__version__}", f"knowledge base: {info['name']} {info['version']}"]
        lines += [f"site rules: {s['name']} {s['version']} ({s['path']})" for s in info["site_rules"]]
        sys.stdout.write("\n".join(lines) + "\n")
        raise typer.Exit(0)


def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version of check-meds and of its knowledge base, and exit.")] = False,
) -> None:
    pass


# the check's options are declared once, in interactions/commands/check.py, which
# interactions.fastcli also reads to run a plain check without importing typer
check_cmd = typer_command(ARGUMENT, OPTIONS, run_check)


def info_cmd(
    fmt: FormatOpt = TextFormat.text,
    rules: RulesOpt = None,
) -> int:
    from interactions.cliutil import load_kb
    from interactions.reporters.info_format import render_json, render_text

    kb = load_kb(rules)
    sys.stdout.write(render_json(kb) if fmt is TextFormat.json else render_text(kb))
    return 0


CHECK_HELP = dict(
    help=(
        "Check one medication list (the default command).\n\n"
        "MEDS are names as written: generic, brand, international, with doses ('Baclofen 10mg tablets'), "
        "combination products ('Percocet') or RxNorm codes ('rxcui:1292'). Use '-' to read one medication "
        f"per line from standard input.\n\n{DISCLAIMER}"
    ),
)
INFO_HELP = dict(help=f"Show what the knowledge base holds: drugs, names, classes, rules by severity, version.\n\n{DISCLAIMER}")
SUBCOMMANDS = COMMANDS

# Examples shown at the end of each command's help, above the exit codes (by command path).
EXAMPLES: dict[tuple[str, ...], tuple[str, ...]] = {
    (): (
        "check-meds baclofen alcohol",
        "check-meds explain Lioresal",
        "check-meds batch residents.csv",
        "check-meds info",
        "check-meds config",
    ),
    ("check",): (
        "check-meds baclofen alcohol",
        "check-meds Lioresal \"Xanax 0.5 mg\" --age 78",
        "check-meds baclofen lisinopril --fail-on major",
        "check-meds baclofen alcohol --format json",
        "check-meds warfarin simvastatin Zoloft --adding fluconazole",
        "check-meds oxycodone alprazolam gabapentin --brief",
        "check-meds warfarin fluconazole --format html --patient 12345 > report.html",
        "printf 'baclofen\\nalcohol\\n' | check-meds -",
    ),
    ("info",): ("check-meds info", "check-meds info --format json --rules /srv/site-rules"),
    ("batch",): (
        "check-meds batch residents.csv",
        "check-meds batch export.csv --format jsonl --detail brief",
        "check-meds batch - --format csv < lists.txt",
    ),
    ("explain",): ("check-meds explain Lioresal", "check-meds explain warfarin fluconazole",
                   "check-meds explain opioid-benzodiazepine", "check-meds explain class:opioid"),
    ("rules",): ("check-meds rules list --severity major", "check-meds rules validate /srv/site-rules", "check-meds rules test"),
    ("rules", "list"): ("check-meds rules list --severity contraindicated", "check-meds rules list --drug warfarin --text bleeding"),
    ("rules", "validate"): ("check-meds rules validate", "check-meds rules validate /srv/site-rules --format json"),
    ("rules", "test"): ("check-meds rules test", "check-meds rules test /srv/site-rules"),
    ("rules", "schema"): ("check-meds rules schema > rules.schema.json", "check-meds rules schema --path"),
    ("serve",): ("check-meds serve", "check-meds serve --host 0.0.0.0 --jwks-url https://ehr.example/jwks.json --jwt-issuer https://ehr.example"),
    ("config",): ("check-meds config", "check-meds config --format json", "CHECK_MEDS_CONFIG=site.toml check-meds config"),
}


def epilog(path: tuple[str, ...]) -> str:
    """The end of a command's help: its examples, then every exit code, one line each.

    Rich help (typer's, in its default 'rich' markup mode) keeps single line
    breaks after the first paragraph, so the lists stay single-spaced.
    """
    examples = "\n".join(f"  {line}" for line in EXAMPLES.get(path, ()))
    return (f"Examples:\n{examples}\n\n" if examples else "") + EXIT_CODES_HELP


def apply_help_conventions(command, path: tuple[str, ...] = ()) -> None:
    """Examples and exit codes at the end of every command's help, and choices that wrap only between words.

    A choice option shows a metavar (SEVERITY, FORMAT) and its choices as
    words in its help: typer's '[minor|moderate|major|contraindicated|none]'
    is one long word that the help table breaks mid-word at 80 columns.
    """
    from interactions.commands.options import choice_help

    command.epilog = epilog(path)
    for param in command.params:
        choice_help(param)
    for name, sub in getattr(command, "commands", {}).items():
        apply_help_conventions(sub, (*path, name))


def _pipe_safe(command):
    """click turns a BrokenPipeError into exit 1; make it PipeClosed (exit 141) before click sees it."""
    import functools

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from interactions.errors import PipeClosed

        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            raise PipeClosed() from None

    return wrapper


def build_app(only: str | None = None):
    """The typer app, with every command, or with just ``only`` when that is a command.

    Building a command costs start-up time (typer inspects every parameter), so
    a check builds the check alone; help and unknown commands get them all.
    """
    app = typer.Typer(
        name="check-meds",
        context_settings={"help_option_names": ["-h", "--help"]},
        add_completion=True,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        help=(
            "Offline drug-interaction checker: severity-ranked, cited warnings for a medication list.\n\n"
            "Usage: check-meds MED [MED ...]   (the 'check' command is the default)\n\n"
            f"{DISCLAIMER}"
        ),
    )
    app.callback()(_root)
    names = (only,) if only in SUBCOMMANDS else SUBCOMMANDS
    if "check" in names:
        app.command("check", **CHECK_HELP)(_pipe_safe(check_cmd))
    if "info" in names:
        app.command("info", **INFO_HELP)(_pipe_safe(info_cmd))
    if "batch" in names:
        from interactions.commands.batch import BATCH_HELP, batch_cmd

        app.command("batch", **BATCH_HELP)(_pipe_safe(batch_cmd))
    if "explain" in names:
        from interactions.commands.explain import HELP as explain_help, explain_cmd

        app.command("explain", help=explain_help)(_pipe_safe(explain_cmd))
    if "rules" in names:
        from interactions.commands.rules import rules_app

        app.add_typer(rules_app, name="rules")
    if "serve" in names:
        from interactions.commands.serve import HELP as serve_help, serve_cmd

        app.command("serve", help=serve_help)(serve_cmd)
    if "config" in names:
        from interactions.commands.config import HELP as config_help, config_cmd

        app.command("config", help=config_help)(_pipe_safe(config_cmd))
    command = typer.main.get_command(app)
    apply_help_conventions(command)
    if COMPLETE_VAR in os.environ:
        complete_by_default(command)
    return command


COMPLETE_VAR = "_CHECK_MEDS_COMPLETE"  # set by the shell's completion script (check-meds --install-completion)


def complete_by_default(group) -> None:
    """Shell completion as route() runs: a first word that is no command is the check's first medication.

    So ``check-meds bacl<TAB>`` offers commands and medication names, and
    ``check-meds baclofen alc<TAB>`` completes the second medication.
    """
    from interactions.commands.options import complete_medication

    try:
        from typer._click.shell_completion import CompletionItem
    except ImportError:  # pragma: no cover - a typer built on the click package
        from click.shell_completion import CompletionItem
    resolve, complete = group.resolve_command, group.shell_complete

    def resolve_command(ctx, args):
        if args and args[0] not in group.commands and not args[0].startswith("-"):
            return "check", group.commands["check"], args
        return resolve(ctx, args)

    def shell_complete(ctx, incomplete):
        return complete(ctx, incomplete) + [CompletionItem(n) for n in complete_medication(incomplete)]

    group.resolve_command, group.shell_complete = resolve_command, shell_complete


def mistyped_command(word: str) -> str | None:
    """The command ``word`` is a typing error of, or None when it is a medication (or far from every command).

    A word is taken for a mistyped command only when it is close to a command
    ('exlpain', 'bacth', 'rule', 'infoo') and is not a medication the
    knowledge base knows, nor closer to one of its names than to the command:
    'onfi' (a brand of clobazam) is checked, 'seravent' is a misspelt drug.
    At equal distance the command wins only for swapped letters ('bacth':
    batch, one swap; ACTH, one deletion), the commonest slip at a keyboard.
    """
    if not near_command(word):
        return None
    from rapidfuzz.distance import OSA

    from interactions.cliutil import site_dirs
    from interactions.kb import load_knowledge_base
    from interactions.normalize import resolve
    from interactions.suggest import closest_score

    w = word.lower()
    command, score = max(((c, OSA.normalized_similarity(w, c)) for c in COMMANDS), key=lambda h: h[1])
    if score < TYPO_SIMILARITY:
        return None
    kb = load_knowledge_base(site_dirs(None))  # its notes are printed by the check, if it is one
    if resolve(word, kb).status != "unknown":
        return None
    closest = closest_score(word, kb)
    if closest > score or (closest == score and sorted(w) != sorted(command)):
        return None
    return command


def route(args: list[str]) -> list[str]:
    """Make 'check' the default command: 'check-meds baclofen alcohol' == 'check-meds check baclofen alcohol'."""
    if not args or args[0] in SUBCOMMANDS or args[0] in TOP_LEVEL:
        return args
    return ["check", *args]


def run(argv: list[str] | None = None) -> int:
    """Run the CLI through typer and return the exit code; never lets a traceback reach the user."""
    from interactions.fastcli import guarded

    try:  # typer 0.26-0.28 carry their own click; typer.BadParameter derives from its ClickException
        from typer._click.exceptions import ClickException
    except ImportError:  # pragma: no cover - a typer built on the click package
        from click.exceptions import ClickException

    given = list(sys.argv[1:] if argv is None else argv)
    args = route(given)

    def work() -> int:
        if given and given[0] != args[0]:  # routed to the check: the first word may be a mistyped command
            command = mistyped_command(args[1])
            if command is not None:
                from interactions.cliutil import err

                err(f"error: {args[1]!r} is not a command: did you mean the command {command}? "
                    f"(to check it as a medication: check-meds check {args[1]})")
                sys.stderr.write("Try 'check-meds --help' for help.\n")
                return ExitCode.USAGE
        extra = {}
        if args and args[0] in ("check", "batch"):  # option defaults from the config file and CHECK_MEDS_* variables
            from interactions.config import default_map

            extra["default_map"] = default_map()
        try:
            rv = build_app(args[0] if args else None)(args=args, prog_name="check-meds", standalone_mode=False, **extra)
            return rv if isinstance(rv, int) else 0
        except ClickException as exc:
            from interactions.cliutil import err

            if exc.format_message():  # empty after the help a bare 'check-meds' or 'check-meds rules' printed
                err(f"error: {exc.format_message()}")
                sys.stderr.write("Try 'check-meds --help' for help.\n")
            return ExitCode.USAGE if exc.exit_code == 2 else int(exc.exit_code)
        except typer.Abort:
            raise KeyboardInterrupt from None

    return guarded(work)


def main() -> None:
    from interactions.fastcli import finish

    finish(run())


if __name__ == "__main__":
    main()
