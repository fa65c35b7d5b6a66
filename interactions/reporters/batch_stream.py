"""What the line-per-entry batch writers (jsonl, csv) share: text rendered in workers, written as bytes."""

from __future__ import annotations

from typing import Any


def write_bytes(out: Any, data: bytes) -> None:
    """UTF-8 bytes to a text stream's binary buffer (after whatever text it holds), or as text."""
    buf = getattr(out, "buffer", None)
    if buf is None:
        out.write(data.decode("utf-8"))
        return
    out.flush()
    view = memoryview(data)
    while view:  # a signal during a blocking write makes write() return short: write the rest, whole lines only
        n = buf.write(view)
        if not n:
            break
        view = view[n:]


class StreamWriter:
    """Entries are rendered to text where lists are checked, and a chunk is encoded once, there."""

    def begin(self, out: Any) -> None:
        pass

    def pack(self, rendered: list[str]) -> bytes:
        return "".join(rendered).encode("utf-8")

    def emit(self, packed: bytes, out: Any) -> None:
        write_bytes(out, packed)

    def close(self, tally: Any, out: Any) -> None:
        pass
