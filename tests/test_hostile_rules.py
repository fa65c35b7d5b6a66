"""Rule files with wrong types anywhere are rejected with messages, never a crash."""

from __future__ import annotations

import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions.errors import InvalidRulesError
from interactions.kb import compile_dirs

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(string.ascii_lowercase + " -", max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["id", "name", "classes", "slots", "class", "drug", "min", "severity", "references", "examples", "match", "sources", "parents", "ingredients", "names", "x"]), inner, max_size=4)), max_leaves=12)
documents = st.fixed_dictionaries(
    {"schema_version": st.one_of(st.just(1), scalars)},
    optional={s: st.one_of(values, st.lists(values, max_size=3)) for s in ("references", "classes", "drugs", "products", "ambiguous", "rules", "overrides", "knowledge_base")},
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents)
def test_any_shape_is_reported_not_crashed(tmp_path_factory, doc):
    d = tmp_path_factory.mktemp("site")
    (d / "f.yaml").write_text(yaml.safe_dump(doc))
    try:
        compile_dirs([(str(d), False)])
    except InvalidRulesError as exc:
        assert exc.problems
        for p in exc.problems:
            assert str(p).startswith(str(d / "f.yaml") + ":") or str(p).startswith(str(d))


def test_a_huge_file_is_refused_quickly(tmp_path):
    import time

    (tmp_path / "big.yaml").write_bytes(b"schema_version: 1\n" + b"# padding\n" * 1_000_000)
    start = time.perf_counter()
    try:
        compile_dirs([(str(tmp_path), False)])
    except InvalidRulesError as exc:
        assert [str(p) for p in exc.problems] == [f"{tmp_path / 'big.yaml'}:1: file is larger than 8 MiB"]
    else:
        raise AssertionError("a 10 MB rule file was accepted")
    assert time.perf_counter() - start < 2
