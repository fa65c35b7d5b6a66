"""Severity levels, lowest to highest."""

from __future__ import annotations

SEVERITIES: tuple[str, ...] = ("minor", "moderate", "major", "contraindicated")
RANK: dict[str, int] = {s: i + 1 for i, s in enumerate(SEVERITIES)}

DEFINITIONS: dict[str, str] = {
    "contraindicated": "Do not combine: a label, regulator or consensus list says the risk outweighs any benefit.",
    "major": "May be life-threatening or cause lasting harm: usually avoid, or change doses and monitor closely.",
    "moderate": "May worsen the patient's condition: manage by monitoring, dose change or spacing.",
    "minor": "Small or inconvenient effect: be aware; usually no action needed.",
}
