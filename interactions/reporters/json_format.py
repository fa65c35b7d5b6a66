"""--format json: one document on stdout, nothing else."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..engine import CheckResult
from .document import document


def render(result: CheckResult, kb: Any, min_severity: str = "minor", adding: Sequence[str] = ()) -> str:
    return json.dumps(document(result, kb, min_severity, adding), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
