"""check-meds: the command line. Parse, load, check, render, exit; nothing else.

Supports, and does not replace, professional judgement.
"""


import os
import sys
from typing import Annotated, Optional

import typer

from interactions import __version__
from interactions.commands.check import ARGUMENT, OPTIONS, run_check
from interactions.commands.options import DISCLAIMER, FormatOpt, RulesOpt, TextFormat, typer_command
from interactions.exitcodes import EXIT_CODES_HELP, ExitCode

def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"check-meds {__version__}\n")
        raise typer.Exit(0)


def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
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
    epilog=EXIT_CODES_HELP.replace("\n", "\n\n"),
)
INFO_HELP = dict(help=f"Show what the knowledge base holds: drugs, names, classes, rules by severity, version.\n\n{DISCLAIMER}")
SUBCOMMANDS = ("check", "info", "batch", "explain", "rules", "serve")


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


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app, with every command, or with just ``only`` when that is a command.

    Building a command costs start-up time (typer inspects every parameter), so
    a check builds the check alone; help and unknown commands get them all.
    """
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
    return app


TOP_LEVEL = {"--help", "-h", "--version"}


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

    args = route(list(sys.argv[1:] if argv is None else argv))

    def work() -> int:
        try:
            rv = build_app(args[0] if args else None)(args=args, prog_name="check-meds", standalone_mode=False)
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
