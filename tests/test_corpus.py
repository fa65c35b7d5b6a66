"""Real-world medication strings (tests/corpus/medication_strings.tsv) resolve exactly as expected."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

import medication_corpus as corpus
from interactions.compiler import METHODS
from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs
from interactions.normalize import resolve

ROWS = corpus.load()


def test_the_corpus_is_large_and_covers_every_form():
    assert len(ROWS) >= 300
    assert len({r.input for r in ROWS}) == len(ROWS), "duplicate inputs"
    by_category = Counter(r.category for r in ROWS)
    for category in ("dose-form", "case-spacing", "combination", "product", "abbreviation", "code", "international",
                     "brand", "rxnorm-name", "ehr-export", "misspelling", "lasa", "ambiguous", "non-drug"):
        assert by_category[category] >= 5, category
    outcomes = Counter(r.expected.split(":")[0] for r in ROWS)
    assert outcomes["ok"] >= 300 and outcomes["unrecognized"] >= 50 and outcomes["ambiguous"] >= 10


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"L{r.line}:{r.input.strip()[:48]}")
def test_corpus_row(row, kb):
    need = corpus.missing(row, kb)
    if need:
        pytest.skip(f"needs {', '.join(need)} in the knowledge base")
    res = resolve(row.input, kb)
    assert corpus.outcome(res) == row.expected, res.reason
    assert res.input == row.input  # what the user typed is kept exactly
    if res.ok:
        assert res.method in METHODS + ("combination",) and res.matched
    elif res.status == "ambiguous":
        assert len(res.candidates) >= 2 and res.reason
    elif res.status == "non_medication":
        assert res.product in kb.non_medicines and not res.drugs
    else:
        assert res.reason


# the ways exports write names; each style is measured on its own
EXPORT_STYLES = ("va-export", "va-combination", "pharmacy-label", "shorthand", "ehr-export", "uk-dmd", "eye-ear",
                 "non-medicine")


def test_every_export_style_has_enough_strings_of_each_outcome():
    rows = [r for r in ROWS if r.category in EXPORT_STYLES]
    assert len(rows) >= 700
    for style in EXPORT_STYLES:
        mine = [r for r in rows if r.category == style]
        assert len(mine) >= 50, style
        assert any(not r.expected.startswith("ok:") for r in mine), f"{style}: no string that must stay unresolved"


@pytest.mark.parametrize("style", EXPORT_STYLES)
def test_each_export_style_resolves_at_98_percent(style, kb):
    """Of the strings of a style that name something the knowledge base knows, at least 98% resolve to it."""
    rows = [r for r in ROWS if r.category == style and r.expected != "unrecognized" and r.expected != "ambiguous"]
    rows = [r for r in rows if not corpus.missing(r, kb)]
    assert len(rows) >= 40
    right = sum(corpus.outcome(resolve(r.input, kb)) == r.expected for r in rows)
    assert right / len(rows) >= 0.98, f"{style}: {right}/{len(rows)}"


def test_a_string_that_must_stay_unresolved_never_resolves(kb):
    """No false reassurance: across the styles, nothing expected unrecognised or ambiguous is settled."""
    settled = [r.input for r in ROWS if r.category in EXPORT_STYLES and r.expected in ("unrecognized", "ambiguous")
               and resolve(r.input, kb).settled]
    assert settled == []


@pytest.fixture(scope="module")
def corpus_kb(tmp_path_factory, kb):
    """The shipped knowledge base plus the drugs and names the corpus needs that it lacks."""
    layer = tmp_path_factory.mktemp("corpus-vocabulary")
    (layer / "vocabulary.yaml").write_text(yaml.safe_dump(corpus.vocabulary_layer(ROWS, kb), sort_keys=False))
    return KnowledgeBase(compile_dirs(rule_dirs([str(layer)])))


def test_the_whole_corpus_resolves_once_its_vocabulary_is_known(corpus_kb):
    """Rows skipped above for missing vocabulary, checked against a knowledge base that has it.

    This exercises the normaliser on every row now; the rows above check the
    shipped vocabulary itself as it grows.
    """
    wrong = []
    tested = 0
    for row in ROWS:
        if corpus.missing(row, corpus_kb):
            continue  # a name of a drug the shipped knowledge base already has: cannot be added here
        tested += 1
        got = corpus.outcome(resolve(row.input, corpus_kb))
        if got != row.expected:
            wrong.append(f"line {row.line}: {row.input!r}: expected {row.expected}, got {got}")
    assert wrong == []
    assert tested >= len(ROWS) - 10
