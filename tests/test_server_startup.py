"""The server stays out of the command line's start-up, with or without the server extra installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_cli_check_imports_nothing_of_the_server():
    """The server must not slow the command line: a check loads none of it."""
    code = ("import sys, cli; rc = cli.run(['baclofen', 'alcohol', '--format', 'json']); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'jwt', 'anyio') "
            "or m.startswith('interactions.server') or m == 'interactions.commands.serve']; "
            "sys.stderr.write(repr(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().endswith("[]"), proc.stderr
