"""Where the shipped knowledge base lives (source tree, editable install or wheel)."""

from __future__ import annotations

import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def shipped_rules_dir() -> str:
    """The shipped ``rules/`` directory.

    A wheel carries it inside the package as ``interactions/_rules``; a source
    checkout or an editable install uses the top-level ``rules/`` beside the
    package.
    """
    inside = os.path.join(_HERE, "_rules")
    if os.path.isdir(inside):
        return inside
    return os.path.join(os.path.dirname(_HERE), "rules")


def schema_path() -> str:
    """The published JSON Schema for rule files."""
    return os.path.join(_HERE, "schema", "rules.schema.json")


def rule_files(directory: str) -> list[str]:
    """All *.yaml / *.yml files below a directory, in a stable order (hidden ones skipped)."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(root, f) for f in files if f.endswith((".yaml", ".yml")) and not f.startswith("."))
    return sorted(found)


def read_regular(path: str, limit: int) -> bytes:
    """Up to ``limit`` bytes of a regular file; a FIFO, device or socket is refused without blocking on it."""
    import errno
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return fh.read(limit)
