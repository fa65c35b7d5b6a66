"""Process exit codes: one table, documented in --help and the README."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of every check-meds command. Never reuse a retired value."""

    OK = 0  # every medication recognised; nothing at or above --fail-on
    FINDINGS = 1  # at least one finding at or above --fail-on
    USAGE = 2  # usage error or unreadable input
    INVALID_RULES = 3  # rule files invalid; nothing was checked
    INCOMPLETE = 4  # some name not recognised; nothing at or above --fail-on
    INTERNAL = 5  # a bug in check-meds: please report it (or a batch worker killed from outside)
    HANGUP = 129  # SIGHUP (the terminal went away)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    PIPE_CLOSED = 141  # standard output closed by its reader (128 + SIGPIPE)
    TERMINATED = 143  # SIGTERM


EXIT_CODES_HELP = """\
Exit codes:
  0    every medication was recognised and nothing reached --fail-on
  1    at least one finding at or above --fail-on
  2    usage error or unreadable input
  3    invalid rule files (nothing was checked)
  4    incomplete: a name was not recognised, and nothing reached --fail-on
  5    internal error (a bug: please report it), or a batch worker was killed
  129  hung up (SIGHUP)
  130  interrupted (Ctrl-C)
  141  standard output closed by its reader (| head)
  143  terminated (SIGTERM)"""
