"""The input of a batch: a file or standard input, read as UTF-8 lines with bad lines reported, not fatal.

A file that cannot be read at all (missing, a directory, UTF-16, binary, or
not UTF-8 from its first line) stops the run with exit code 2. A line that is
not valid UTF-8 further down is decoded with replacement characters and its
number recorded in :attr:`Source.bad_lines`, so the reader can turn that line
into an error entry and carry on.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import CheckMedsError
from ..exitcodes import ExitCode

BLOCK = 1 << 20
PEEK = 64 * 1024


class Source:
    """A named input that can be peeked at, and read again when a reader needs two passes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = "<stdin>" if path == "-" else path
        self.bad_lines: deque[int] = deque()  # line numbers not valid UTF-8, in order, not yet claimed
        self._stdin_head: bytes | None = None
        self._spool: BinaryIO | None = None
        self._stdin_used = False
        if path != "-":
            if os.path.isdir(path):
                raise CheckMedsError(f"{path}: is a directory, not a file", ExitCode.USAGE)
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                raise CheckMedsError(f"{path}: cannot read: {exc.strerror or exc}", ExitCode.USAGE) from None

    @property
    def extension(self) -> str:
        return "" if self.path == "-" else os.path.splitext(self.path)[1].lower()

    def head(self) -> bytes:
        """The first bytes of the input (for format detection), without consuming it."""
        if self.path != "-":
            with open(self.path, "rb") as fh:
                return fh.read(PEEK)
        if self._spool is not None:
            self._spool.seek(0)
            return self._spool.read(PEEK)
        if self._stdin_head is None:
            self._stdin_head = _read_up_to(sys.stdin.buffer, PEEK)
        return self._stdin_head

    def rewindable(self) -> None:
        """Make :meth:`open` repeatable for standard input by copying it to a temporary file."""
        if self.path != "-" or self._spool is not None:
            return
        import shutil
        import tempfile

        spool = tempfile.TemporaryFile()
        with self._open_stdin() as fh:
            shutil.copyfileobj(fh, spool, BLOCK)
        self._spool = spool

    def open(self) -> BinaryIO:
        """A fresh binary stream from the start of the input."""
        if self.path != "-":
            return open(self.path, "rb")
        if self._spool is not None:
            self._spool.seek(0)
            return _Unclosing(self._spool)  # type: ignore[return-value]
        return self._open_stdin()

    def _open_stdin(self) -> BinaryIO:
        if self._stdin_used:
            raise RuntimeError("standard input read twice without rewindable()")
        self._stdin_used = True
        return _Prefixed(self._stdin_head or b"", sys.stdin.buffer)  # type: ignore[return-value]

    def read_all(self, limit: int = 1 << 31) -> bytes:
        """The whole input as bytes (for a FHIR Bundle, which is one JSON document)."""
        with self.open() as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise CheckMedsError(f"{self.name}: larger than {limit >> 20} MiB; use FHIR NDJSON for inputs this large", ExitCode.USAGE)
        return data

    def lines(self) -> Iterator[str]:
        """Every physical line, decoded, with its '\\n'; a line that is not UTF-8 is replaced and recorded."""
        self.bad_lines.clear()
        with self.open() as fh:
            pending = b""
            lineno = 0
            first = True
            while True:
                block = fh.read(BLOCK)
                if not block:
                    break
                data = pending + block
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    pending = data
                    continue
                pending = data[cut:]
                data = data[:cut]
                if first:
                    data = self._check_start(data)
                    first = False
                lines, lineno = self._decode(data, lineno)
                yield from lines
            if pending:
                if first:
                    pending = self._check_start(pending)
                lines, lineno = self._decode(pending + b"\n", lineno)
                yield from lines

    def _check_start(self, data: bytes) -> bytes:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise CheckMedsError(f"{self.name}: UTF-16 text; save it as UTF-8", ExitCode.USAGE)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        nul = data.find(b"\x00", 0, PEEK)
        if nul >= 0:
            line = data[:nul].count(b"\n") + 1
            raise CheckMedsError(f"{self.name}:{line}: not a text file (NUL byte)", ExitCode.USAGE)
        end = data.find(b"\n")
        try:
            data[: end if end >= 0 else len(data)].decode("utf-8")
        except UnicodeDecodeError:
            raise CheckMedsError(f"{self.name}:1: not valid UTF-8", ExitCode.USAGE) from None
        return data

    def _decode(self, data: bytes, lineno: int) -> tuple[list[str], int]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            out = []
            for raw in data.split(b"\n")[:-1]:
                lineno += 1
                try:
                    out.append(raw.decode("utf-8") + "\n")
                except UnicodeDecodeError:
                    out.append(raw.decode("utf-8", "replace") + "\n")
                    self.bad_lines.append(lineno)
            return out, lineno
        lines = text.split("\n")
        lines.pop()  # the data ends with '\n'
        lineno += len(lines)
        return [s + "\n" for s in lines], lineno

    def claim_bad(self, first: int, last: int) -> int | None:
        """The first undecodable line in ``first..last`` (claimed, so it is reported once), or None."""
        bad = self.bad_lines
        found = None
        while bad and bad[0] <= last:
            n = bad.popleft()
            if n >= first and found is None:
                found = n
        return found


def _read_up_to(fh: BinaryIO, n: int) -> bytes:
    chunks = []
    while n > 0:
        b = fh.read(n)
        if not b:
            break
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


class _Prefixed:
    """Standard input with the bytes already peeked at put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:n], self._head[n:]
            return data
        return self._rest.read(n)

    def __enter__(self) -> _Prefixed:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class _Unclosing:
    """A spooled temporary file handed out for one pass; closing it keeps it for the next."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh

    def read(self, n: int = -1) -> bytes:
        return self._fh.read(n)

    def __enter__(self) -> _Unclosing:
        return self

    def __exit__(self, *exc: object) -> None:
        pass
