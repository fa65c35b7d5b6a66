"""The one normal form used for every name, at compile time and at look-up."""

from __future__ import annotations

import unicodedata

_TRANSLATE = str.maketrans(
    {
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u2018": "'", "\u2019": "'", "\u00b4": "'", "`": "'",
        "\u00ae": " ", "\u2122": " ", "\u00a9": " ",  # (R), TM, (C) marks on brand names
        "\u2044": "/", "\u00d7": "x",  # fraction slash (NFKC of one-half), multiplication sign
        # invisible characters that pasted text carries: zero-width spaces and joiners, soft hyphen, BOM
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\u00ad": None, "\ufeff": None,
    }
)


def key(name: str) -> str:
    """Fold a name to its look-up key: NFKC, casefolded, dashes/quotes unified, spaces collapsed."""
    s = unicodedata.normalize("NFKC", name).casefold().translate(_TRANSLATE)
    return " ".join(s.split()).strip(" .,;:")


def display(name: str) -> str:
    """The same form as :func:`key` but with case kept, to quote the user's own text back."""
    s = unicodedata.normalize("NFKC", name).translate(_TRANSLATE)
    return " ".join(s.split()).strip(" .,;:")
