"""One exception root; each error knows the exit code it maps to."""

from __future__ import annotations

from .exitcodes import ExitCode


class CheckMedsError(Exception):
    """An expected failure with a one-line message for the user."""

    code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, code: ExitCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class PipeClosed(CheckMedsError):
    """Standard output was closed by its reader (``| head``): stop quietly, exit 141 (128 + SIGPIPE)."""

    def __init__(self) -> None:
        super().__init__("standard output closed", ExitCode.PIPE_CLOSED)


class Interrupted(CheckMedsError):
    """Ctrl-C, SIGTERM or SIGHUP: stop, say what was written, exit 128 + the signal number."""

    def __init__(self, signum: int, message: str = "interrupted") -> None:
        super().__init__(message, ExitCode(128 + signum) if 128 + signum in ExitCode._value2member_map_ else ExitCode.INTERRUPTED)
        self.signum = signum


class Problem:
    """One problem in a rule file, reported as ``path:line: message``."""

    __slots__ = ("path", "line", "message")

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.message)


class InvalidRulesError(CheckMedsError):
    """The knowledge base did not validate; carries every problem found."""

    code = ExitCode.INVALID_RULES

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        n = len(self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the rule files")
