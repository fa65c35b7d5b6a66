"""Commands beyond the single check (explain, rules, ...), registered by cli.py; each imports its work lazily.

The command words live here, where both the typer app (cli.py) and the
typer-free fast path (fastcli.py) read them at no import cost.
"""

from __future__ import annotations

# every subcommand; the first word of a command line that is one of these is never a medication
COMMANDS = ("check", "info", "batch", "explain", "rules", "serve", "config")
# options that stand alone before any command
TOP_LEVEL = ("--help", "-h", "--version", "--install-completion", "--show-completion")
# a mistyped command word is at least this similar to the command: 1 - edits / length, where swapping two
# neighbouring letters is one edit (optimal string alignment distance)
TYPO_SIMILARITY = 0.75


def near_command(word: str) -> bool:
    """Whether ``word`` may be a mistyped command: a cheap upper bound, never a false 'no'.

    Each edit lowers the characters two words share (as multisets) by at most
    one relative to the longer length, so shared / longer bounds their
    similarity from above; ``cli.mistyped_command`` computes the real score
    (and asks the knowledge base) only for a word this lets through.
    """
    w = word.lower()
    if not (2 <= len(w) <= 12) or not w.isalpha() or w in COMMANDS:
        return False
    for c in COMMANDS:
        shared = sum(min(w.count(ch), c.count(ch)) for ch in set(c))
        if shared / max(len(w), len(c)) >= TYPO_SIMILARITY:
            return True
    return False
