"""The input of a batch: a file or standard input, read as UTF-8 lines with bad lines reported, not fatal.

UTF-8 (with or without a byte-order mark) is read as is; UTF-16 with a
byte-order mark (Excel's "Unicode text") is decoded to UTF-8 as it is read;
an .xlsx workbook is read with openpyxl (the ``xlsx`` extra) and its sheet
turned into CSV rows, one line per row. A file that cannot be read at all
(missing, a directory, binary, or not UTF-8 from its first line) stops the
run with exit code 2. A line that is not valid UTF-8 further down, or longer
than :data:`LINE_LIMIT`, is set aside (never read whole) and its number
recorded in :attr:`Source.bad_lines` with the reason, so the reader can turn
that line into an error entry and carry on.
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
LINE_LIMIT = 1 << 20  # longer lines are error entries (FHIR NDJSON allows 16 MiB: a Bundle may sit on one line)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
ZIP_MAGIC = b"PK\x03\x04"


class Source:
    """A named input that can be peeked at, and read again when a reader needs two passes."""

    def __init__(self, path: str, sheet: str | None = None) -> None:
        self.path = path
        self.name = "<stdin>" if path == "-" else path
        self.bad_lines: deque[int] = deque()  # line numbers not valid UTF-8 (or too long), in order, not yet claimed
        self.reasons: dict[int, str] = {}  # a bad line -> why, when it is not "not valid UTF-8"
        self.line_limit = LINE_LIMIT
        self.sheet = sheet
        self.converted = ""  # "xlsx" once a workbook was turned into CSV lines
        self._stdin_head: bytes | None = None
        self._spool: BinaryIO | None = None
        self._stdin_used = False
        self._utf16: bool | None = None
        self._streams: list = []  # every stream and line generator handed out, closed by close()
        if path != "-":
            if os.path.isdir(path):
                raise CheckMedsError(f"{path}: is a directory, not a file", ExitCode.USAGE)
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                raise CheckMedsError(f"{path}: cannot read: {exc.strerror or exc}", ExitCode.USAGE) from None

    def close(self) -> None:
        """Close every stream handed out (a reader that stopped early leaves one open), and let go of the
        temporary copy of standard input or of a workbook's sheet, if any."""
        streams, self._streams = self._streams, []
        for stream in reversed(streams):
            stream.close()
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    @property
    def extension(self) -> str:
        if self.converted:
            return ".csv"
        return "" if self.path == "-" else os.path.splitext(self.path)[1].lower()

    def is_workbook(self) -> bool:
        """An .xlsx workbook (by extension, or a zip archive on standard input)."""
        if self.converted:
            return False
        if self.path != "-":
            return self.extension in (".xlsx", ".xlsm")
        return self._raw_head().startswith(ZIP_MAGIC)

    def convert_workbook(self) -> None:
        """Replace the input by the CSV text of one sheet of the workbook (first sheet, or ``sheet``)."""
        from .xlsx import sheet_to_csv

        spool = sheet_to_csv(self, self.sheet)
        self._spool = spool
        self.converted = "xlsx"
        self._utf16 = False

    def _raw_head(self) -> bytes:
        if self.path != "-":
            with open(self.path, "rb") as fh:
                return fh.read(PEEK)
        if self._stdin_head is None:
            self._stdin_head = _read_up_to(sys.stdin.buffer, PEEK)
        return self._stdin_head

    def utf16(self) -> bool:
        if self._utf16 is None:
            self._utf16 = self._spool is None and self._raw_head().startswith(UTF16_BOMS)
        return self._utf16

    def head(self) -> bytes:
        """The first bytes of the input as UTF-8 (for format detection), without consuming it."""
        if self._spool is not None:
            self._spool.seek(0)
            return self._spool.read(PEEK)
        head = self._raw_head()
        if self.utf16():
            return _utf16_to_utf8(head, final=False)
        return head

    def raw(self) -> BinaryIO:
        """The input's bytes as they are (a workbook is read from here)."""
        if self.path != "-":
            fh = open(self.path, "rb")
            self._streams.append(fh)
            return fh
        return self._open_stdin()

    def rewindable(self) -> None:
        """Make :meth:`open` repeatable for standard input by copying it to a temporary file."""
        if self.path != "-" or self._spool is not None:
            return
        if self.utf16():  # spool the decoded text
            import tempfile

            spool = tempfile.TemporaryFile()
            with _FromUTF16(self._open_stdin()) as fh:
                while True:
                    block = fh.read(BLOCK)
                    if not block:
                        break
                    spool.write(block)
            self._spool = spool
            return
        import shutil
        import tempfile

        spool = tempfile.TemporaryFile()
        with self._open_stdin() as fh:
            shutil.copyfileobj(fh, spool, BLOCK)
        self._spool = spool

    def open(self) -> BinaryIO:
        """A fresh binary stream of UTF-8 from the start of the input."""
        if self._spool is not None:
            self._spool.seek(0)
            return _Unclosing(self._spool)  # type: ignore[return-value]
        if self.utf16():
            return _FromUTF16(self.raw())  # type: ignore[return-value]
        return self.raw()

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
        gen = self._lines()
        self._streams.append(gen)
        return gen

    def _lines(self) -> Iterator[str]:
        self.bad_lines.clear()
        self.reasons.clear()
        limit = self.line_limit
        with self.open() as fh:
            pending = b""
            lineno = 0
            first = True
            skipping = False  # inside a line longer than the limit: its bytes are dropped as they come
            while True:
                block = fh.read(BLOCK)
                if not block:
                    break
                if skipping:
                    nl = block.find(b"\n")
                    if nl < 0:
                        continue
                    block = block[nl + 1 :]
                    skipping = False
                    lineno = self._too_long(lineno)
                    yield "\n"
                data = pending + block if pending else block
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    pending = data
                    if len(pending) > limit:
                        pending = b""
                        skipping = True
                    continue
                pending = data[cut:]
                data = data[:cut]
                if first:
                    data = self._check_start(data)
                    first = False
                lines, lineno = self._decode(data, lineno, limit)
                yield from lines
                if len(pending) > limit:
                    pending = b""
                    skipping = True
            if skipping:
                lineno = self._too_long(lineno)
                yield "\n"
            elif pending:
                if first:
                    pending = self._check_start(pending)
                lines, lineno = self._decode(pending + b"\n", lineno, limit)
                yield from lines

    def _too_long(self, lineno: int) -> int:
        lineno += 1
        self.bad_lines.append(lineno)
        self.reasons[lineno] = f"line longer than {self.line_limit >> 20} MiB (not read)"
        return lineno

    def why(self, line: int) -> str:
        """Why a line claimed with :meth:`claim_bad` could not be read."""
        return self.reasons.pop(line, "not valid UTF-8")

    def _check_start(self, data: bytes) -> bytes:
        if data.startswith(ZIP_MAGIC):
            raise CheckMedsError(f"{self.name}: a zip archive (an .xlsx workbook? name it .xlsx), not text", ExitCode.USAGE)
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

    def _decode(self, data: bytes, lineno: int, limit: int = LINE_LIMIT) -> tuple[list[str], int]:
        try:
            if len(data) > limit and max(map(len, data.split(b"\n"))) > limit:
                raise ValueError("a line is too long")
            text = data.decode("utf-8")
        except ValueError:  # UnicodeDecodeError, or a line over the limit: line by line
            out = []
            for raw in data.split(b"\n")[:-1]:
                lineno += 1
                if len(raw) > limit:
                    self.bad_lines.append(lineno)
                    self.reasons[lineno] = f"line longer than {limit >> 20} MiB (not read)"
                    out.append("\n")
                    continue
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


def _utf16_to_utf8(data: bytes, final: bool = True) -> bytes:
    import codecs

    return codecs.getincrementaldecoder("utf-16")("replace").decode(data, final).encode("utf-8")


class _FromUTF16:
    """A UTF-16 stream (with its byte-order mark) read as UTF-8 bytes; undecodable units become U+FFFD."""

    def __init__(self, raw: BinaryIO) -> None:
        import codecs

        self._raw = raw
        self._dec = codecs.getincrementaldecoder("utf-16")("replace")
        self._done = False

    def read(self, n: int = -1) -> bytes:
        if self._done:
            return b""
        while True:
            block = self._raw.read(BLOCK if n < 0 else max(n, 2))
            text = self._dec.decode(block, final=not block)
            if not block:
                self._done = True
            if text or not block:
                return text.encode("utf-8", "replace")

    def __enter__(self) -> _FromUTF16:
        return self

    def __exit__(self, *exc: object) -> None:
        close = getattr(self._raw, "close", None)
        if close is not None:
            close()


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
