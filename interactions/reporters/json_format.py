"""--format json: one document on stdout, nothing else."""

from __future__ import annotations

import json
from typing import Any

from ..engine import CheckResult
from .document import document


def render(result: CheckResult, kb: Any, min_severity: str = "minor") -> str:
    return json.dumps(document(result, kb, min_severity), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
