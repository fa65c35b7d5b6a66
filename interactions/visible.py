"""Text safe to show on a terminal: every control character made visible, and word wrapping.

A medication name or list id comes from outside (a prescription export, a
pasted list, a CSV cell). Printed raw, an escape sequence in it could move the
cursor, clear a MAJOR warning off the screen and print a fake verdict; a
newline could start a fake ``Summary:`` line; a bidi override could show a
name reversed. :func:`visible` writes each such character as an escape
(``\\x1b``, ``\\n``, ``\\t``, ``\\u202e``), so what reaches a person is printable text
that cannot change anything else on the screen. JSON keeps the exact strings.

Escaped: the C0 controls and DEL, the C1 controls, the line and paragraph
separators, and the format characters (bidi embeddings, overrides, isolates
and marks, zero-width characters, the soft hyphen), which are invisible or
reorder text. Ordinary letters, spaces and punctuation of any script pass
unchanged. A backslash already in a name is left as it is.
"""

from __future__ import annotations

import re
import unicodedata

_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    o = ord(ch)
    if o < 0x100:
        return f"\\x{o:02x}"
    if o < 0x10000:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def visible(s: str) -> str:
    """``s`` with every control, separator and format character written as an escape (idempotent)."""
    if s.isprintable():  # the common case: nothing to do (every escaped character is not printable)
        return s
    cat = unicodedata.category
    return "".join(_escape(ch) if cat(ch) in _CATEGORIES else ch for ch in s)


def has_invisible(s: str) -> bool:
    """Whether :func:`visible` would change ``s``."""
    return visible(s) != s


# --- wrapping -------------------------------------------------------------------------------------

Segment = tuple[str, str]  # (text, style name)
Line = list[Segment]

_TOKENS = re.compile(r"\S+|\s+")


def wrap(line: Line, width: int, hang: int | None = None) -> list[Line]:
    """One line of styled segments wrapped to ``width`` columns, between words, never inside one.

    The line's leading spaces stay on its first line; continuation lines start
    with ``hang`` spaces (default: the leading spaces plus two). A word longer
    than a whole line is the only thing ever broken, after a hyphen or slash where it has one. Every
    segment's text is made :func:`visible` first, so widths are those shown.
    """
    words: list[tuple[str, list[Segment]]] = []  # (space before, [segments of the word])
    space = ""
    glue = False  # the last token was part of a word (a word may span segments: "(" dim + "x" plain)
    for text, style in line:
        for tok in _TOKENS.findall(visible(text)):
            if tok[0].isspace():
                space += tok
                glue = False
            elif glue and not space:
                words[-1][1].append((tok, style))
            else:
                words.append((space, [(tok, style)]))
                space = ""
                glue = True
    if not words:
        return [[(space, "")]] if space else [[]]
    lead = words[0][0]
    if hang is None:
        hang = len(lead) + 2
    width = max(width, hang + 10)
    out: list[Line] = []
    cur: Line = [(lead, "")] if lead else []
    used = len(lead)
    fresh = True  # nothing but the indent on the current line yet
    for i, (before, segs) in enumerate(words):
        if i == 0:
            before = ""  # the leading spaces, already placed
        n = sum(len(t) for t, _ in segs)
        if not fresh and used + len(before) + n > width:
            out.append(cur)
            cur, used, fresh = [(" " * hang, "")], hang, True
        if not fresh:
            cur.append((before, ""))
            used += len(before)
        if n > width - used:  # a single word wider than a whole line: break it, the only way it fits
            for t, style in segs:
                while t:
                    room = width - used
                    if room <= 0:
                        out.append(cur)
                        cur, used = [(" " * hang, "")], hang
                        room = width - used
                    cut = room
                    if len(t) > room:  # prefer to break just after a hyphen or slash (a rule id, a path)
                        at = max(t.rfind("-", 0, room), t.rfind("/", 0, room))
                        if at + 1 > room // 3:
                            cut = at + 1
                    piece, t = t[:cut], t[cut:]
                    cur.append((piece, style))
                    used += len(piece)
                    if t:
                        out.append(cur)
                        cur, used = [(" " * hang, "")], hang
        else:
            cur.extend(segs)
            used += n
        fresh = False
    out.append(cur)
    return out


def wrap_all(lines: list[Line], width: int) -> list[Line]:
    """Every line wrapped with its default hanging indent."""
    out: list[Line] = []
    for line in lines:
        out.extend(wrap(line, width))
    return out
