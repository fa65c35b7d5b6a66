"""Shared fixtures: the shipped knowledge base, a tiny one, and an isolated cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs

HERE = Path(__file__).parent
ROOT = HERE.parent
FIXTURES = HERE / "fixtures"


def fuzz_n(default: int) -> int:
    """How many inputs a fuzz or property test tries: ``default``, or CHECK_MEDS_FUZZ_N for a longer run.

    ``CHECK_MEDS_FUZZ_N=5000 python -m pytest tests/test_cache.py -k fuzz tests/test_reliability.py ...``
    (the figures of such a run are in bench/README.md).
    """
    raw = os.environ.get("CHECK_MEDS_FUZZ_N", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden files from the current output")


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Never read or write the user's cache from the tests."""
    old = os.environ.get("CHECK_MEDS_CACHE_DIR")
    os.environ["CHECK_MEDS_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ.pop("CHECK_MEDS_RULES", None)
    os.environ.pop("CHECK_MEDS_NO_CACHE", None)
    old_config = os.environ.get("CHECK_MEDS_CONFIG")
    os.environ["CHECK_MEDS_CONFIG"] = ""  # never the user's site configuration file
    yield
    if old_config is None:
        os.environ.pop("CHECK_MEDS_CONFIG", None)
    else:
        os.environ["CHECK_MEDS_CONFIG"] = old_config
    if old is None:
        os.environ.pop("CHECK_MEDS_CACHE_DIR", None)
    else:
        os.environ["CHECK_MEDS_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped knowledge base, compiled from YAML (no cache)."""
    return KnowledgeBase(compile_dirs(rule_dirs()))


@pytest.fixture()
def fresh_kb(kb) -> KnowledgeBase:
    """The shipped knowledge base with an empty resolution memo."""
    return KnowledgeBase(kb.data)


@pytest.fixture(scope="session")
def mini_kb() -> KnowledgeBase:
    return KnowledgeBase(compile_dirs([(str(FIXTURES / "mini_kb"), True)]))


@pytest.fixture()
def golden(request):
    """Compare text with tests/golden/NAME, or rewrite it with --update-golden."""

    def check(name: str, actual: str) -> None:
        path = HERE / "golden" / name
        if request.config.getoption("--update-golden") or not path.exists():
            path.write_text(actual, encoding="utf-8")
            if not request.config.getoption("--update-golden"):
                pytest.fail(f"golden file {name} did not exist; written now, review and commit it")
        assert actual == path.read_text(encoding="utf-8")

    return check


@pytest.fixture()
def run_cli(capsys, monkeypatch):
    """Run ``cli.run(args)`` in-process from the repository root, plain text; returns (code, stdout, stderr)."""
    import cli

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.run(list(args))
        out, err = capsys.readouterr()
        return int(code), out, err

    return run
