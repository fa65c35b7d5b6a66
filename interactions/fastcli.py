"""The ``check-meds`` entry point: a plain check without importing the command-line framework.

Importing typer costs about two thirds of a single check's start-up. A check
command line that is certainly valid (names, then options from
:mod:`interactions.commands.check` with values typer would accept unchanged)
is parsed here and run directly; anything else -- help, ``--version``, other
commands, an unknown option, a doubtful value, a repeated option -- goes to
typer (``cli.run``), which then serves it exactly as it always has, errors
included. ``tests/test_fastcli.py`` checks that both paths give the same
parse and the same output for the same command lines.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from .commands import COMMANDS, TOP_LEVEL, near_command
from .commands.check import ARGUMENT, OPTIONS, run_check
from .exitcodes import ExitCode

_BY_FLAG = {flag: p for p in OPTIONS for flag in p.flags}
_SHORT = {flag: p for flag, p in _BY_FLAG.items() if not flag.startswith("--")}
# the first word of a command line that is not a plain check (every command but 'check', and the top-level options)
_NOT_A_CHECK = frozenset(COMMANDS + TOP_LEVEL) - {"check"}


def parse(args: list[str]) -> dict | None:
    """Keyword arguments for :func:`run_check`, or None when typer should decide.

    Follows click's rules for what it accepts: options and names interleaved,
    ``--opt value``, ``--opt=value``, ``-f value``, ``-fvalue``, ``--`` ending
    options, ``-`` as a name. Returns None rather than guess.
    """
    if args and args[0] == "check":
        args = args[1:]
    elif not args or args[0] in _NOT_A_CHECK or near_command(args[0]):  # typer tells a mistyped command from a name
        return None
    values: dict[str, object] = {}
    meds: list[str] = []
    i, n = 0, len(args)
    while i < n:
        tok = args[i]
        i += 1
        if tok == "--":
            meds.extend(args[i:])
            break
        if tok[:1] != "-" or tok == "-":
            meds.append(tok)
            continue
        if tok.startswith("--"):
            flag, eq, value = tok.partition("=")
            p = _BY_FLAG.get(flag)
            if p is None:
                return None
            if p.flag:
                if eq or p.name in values:  # '--brief=x' is an error; a repeated flag is left to typer too
                    return None
                values[p.name] = True
                continue
            if not eq:
                if i >= n:
                    return None
                value = args[i]
                i += 1
        else:
            p = _SHORT.get(tok[:2])
            if p is None or p.flag:  # no short flags are declared; combined short flags are typer's to read
                return None
            value = tok[2:]
            if not value:
                if i >= n:
                    return None
                value = args[i]
                i += 1
        if not value or value[:1] == "-":  # typer would take it, but as what it is not sure
            return None
        if p.choices is not None:
            if value not in p.choices:
                return None
            v: object = value
        elif p.int_range is not None:
            if not (value.isascii() and value.isdigit() and len(value) <= 4):
                return None
            v = int(value)
            lo, hi = p.int_range
            if not lo <= v <= hi:  # type: ignore[operator]
                return None
        else:
            v = value
        if p.multiple:
            values.setdefault(p.name, []).append(v)  # type: ignore[union-attr]
        elif p.name in values:
            return None  # click keeps the last; leave such lines to it
        else:
            values[p.name] = v
    if not meds:
        return None
    from .config import check_defaults

    out = check_defaults()  # the declared defaults under the config file's and CHECK_MEDS_* settings
    if out is None:  # a configuration problem: typer reports it
        return None
    out.update(values)
    out[ARGUMENT.name] = meds
    return out


def guarded(work: Callable[[], int]) -> int:
    """Run ``work`` and turn every failure into a one-line message and an exit code; never a traceback."""
    from .errors import CheckMedsError, Interrupted, InvalidRulesError, PipeClosed

    try:
        return work()
    except InvalidRulesError as exc:
        from .cliutil import report_invalid

        report_invalid(exc)
        return ExitCode.INVALID_RULES
    except PipeClosed as exc:
        silence_stdout()
        return int(exc.code)
    except Interrupted as exc:
        sys.stderr.write(f"\ncheck-meds: {exc}\n")
        return int(exc.code)
    except CheckMedsError as exc:
        from .cliutil import err

        err(str(exc))
        return int(exc.code)
    except KeyboardInterrupt:
        sys.stderr.write("\ncheck-meds: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return 141  # 128 + SIGPIPE, as a shell reports a reader that went away
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("CHECK_MEDS_DEBUG"):
            raise
        from .cliutil import err

        err(f"internal error: {type(exc).__name__}: {exc} (this is a bug in check-meds; please report it, "
            "with CHECK_MEDS_DEBUG=1 for the details)")
        return ExitCode.INTERNAL


def silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run(argv: list[str] | None = None) -> int:
    """The whole command line: the fast path when it certainly applies, else typer."""
    args = list(sys.argv[1:] if argv is None else argv)
    kwargs = parse(args)
    if kwargs is None:
        from . import cli

        return cli.run(args)
    return guarded(lambda: run_check(**kwargs))


def finish(code: int) -> None:
    """Flush standard output and exit with ``code`` (141 if the reader went away)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        code = 141
    sys.exit(code)


def main() -> None:
    finish(run())
