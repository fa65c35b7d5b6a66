"""check-meds: an offline, rule-driven drug-interaction checker.

The public API is small and pure (no printing, no exiting):

    from interactions import load_knowledge_base, check
    kb = load_knowledge_base()
    result = check(["baclofen", "alcohol"], kb)
"""

from __future__ import annotations

__version__ = "0.1.0"

DISCLAIMER = "check-meds supports, and does not replace, professional judgement."

__all__ = ["DISCLAIMER", "__version__", "check", "load_knowledge_base"]


def __getattr__(name: str):  # lazy, so `import interactions` stays cheap
    if name == "check":
        from .engine import check

        return check
    if name == "load_knowledge_base":
        from .kb import load_knowledge_base

        return load_knowledge_base
    raise AttributeError(name)
