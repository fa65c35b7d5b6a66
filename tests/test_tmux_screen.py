"""In a real terminal (a tmux pane of 60x24), the verdict and every major finding are on the first screen.

The check runs in the pane as a pharmacist would run it (a terminal: colour,
the pane's own width, no COLUMNS); the pane's whole history is read back and
its first 24 lines are the first screen. Skipped where tmux is not installed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interactions.engine import check
from interactions.reporters.document import verdict

from test_text_report import TWELVE

ROOT = Path(__file__).parent.parent
END = "__check_meds_done__"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, check=True).stdout


def test_verdict_and_every_major_finding_on_the_first_screen(kb, tmp_path):
    sock = f"check-meds-test-{os.getpid()}"
    cmd = " ".join(["env", "-u", "COLUMNS", "-u", "NO_COLOR", "TERM=xterm-256color",
                    f"CHECK_MEDS_CACHE_DIR={shlex.quote(str(tmp_path))}", "CHECK_MEDS_CONFIG=",
                    shlex.quote(sys.executable), shlex.quote(str(ROOT / "cli.py")), *map(shlex.quote, TWELVE)])
    _tmux(sock, "-f", "/dev/null", "new-session", "-d", "-x", "60", "-y", "24", "-s", "t",
          f"sh -c {shlex.quote(cmd + f'; echo {END}; sleep 120')}")
    try:
        _tmux(sock, "set-option", "-t", "t", "history-limit", "5000")
        deadline = time.monotonic() + 60
        while END not in (history := _tmux(sock, "capture-pane", "-p", "-t", "t", "-S", "-", "-E", "-")):
            assert time.monotonic() < deadline, "the check did not finish in the pane"
            time.sleep(0.2)
        joined = _tmux(sock, "capture-pane", "-p", "-J", "-t", "t", "-S", "-", "-E", "-")
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)
    lines = history.splitlines()
    first = lines[:24]
    result = check(TWELVE, kb)
    assert " ".join(" ".join(first).split()).startswith(verdict(result))
    majors = [f for f in result.findings if f.severity == "major"]
    assert len(majors) == 6
    screen = " ".join(" ".join(first).split())
    for f in majors:
        assert f"MAJOR {' + '.join(f.inputs)}: {f.rule_data['title']}" in screen, f.rule
    # nothing was wrapped by the terminal: every line was already within the pane's 60 columns
    assert len(joined.splitlines()) == len(lines)
    assert all(len(line) <= 60 for line in lines)
    assert "check-meds supports, and does not replace, professional judgement." in " ".join(history.split())
