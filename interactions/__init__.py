"""check-meds: an offline, rule-driven drug-interaction checker.

The public API (documented in docs/library.md) is small and pure: no printing, no exiting.

    from interactions import load_knowledge_base, check
    kb = load_knowledge_base()
    result = check(["baclofen", "alcohol"], kb)
    result.to_dict()   # exactly the document of `check-meds baclofen alcohol --format json`

check-meds supports, and does not replace, professional judgement.
"""

from __future__ import annotations

__version__ = "0.1.0"

DISCLAIMER = "check-meds supports, and does not replace, professional judgement."

_API = ("Result", "check", "check_many", "check_partition", "load_knowledge_base")
__all__ = ["DISCLAIMER", "__version__", *_API]


def __getattr__(name: str):  # lazy, so `import interactions` stays cheap (the command line imports it first)
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
