"""The compiled-knowledge-base cache: used when valid, rebuilt when anything changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from interactions import kb as kbmod

ROOT = Path(__file__).parent.parent


def test_cache_is_written_then_used(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(tmp_path / "c"))
    first = kbmod.load_knowledge_base()
    files = list((tmp_path / "c").iterdir())
    assert len(files) == 1
    calls = []
    monkeypatch.setattr(kbmod, "compile_dirs", lambda dirs: calls.append(dirs))
    second = kbmod.load_knowledge_base()
    assert calls == [] and second.data == first.data


def test_editing_a_site_rule_file_invalidates(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(tmp_path / "c"))
    site = tmp_path / "site"
    site.mkdir()
    f = site / "site.yaml"
    f.write_text("schema_version: 1\ndrugs:\n  - {id: localdrug, classes: []}\n")
    a = kbmod.load_knowledge_base([str(site)])
    assert "localdrug" in a.drugs
    f.write_text("schema_version: 1\ndrugs:\n  - {id: otherdrug, classes: []}\n")
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    b = kbmod.load_knowledge_base([str(site)])
    assert "otherdrug" in b.drugs and "localdrug" not in b.drugs
    assert "localdrug" not in kbmod.load_knowledge_base().drugs  # without the site, the shipped one


def test_corrupt_or_unwritable_cache_is_harmless(tmp_path, monkeypatch):
    cache = tmp_path / "c"
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(cache))
    kbmod.load_knowledge_base()
    for f in cache.iterdir():
        f.write_bytes(b"\x00garbage")
    assert kbmod.load_knowledge_base().counts["rules"] > 0
    shutil.rmtree(cache)
    cache.write_text("a file where the directory should be")
    assert kbmod.load_knowledge_base().counts["rules"] > 0


def test_no_cache_env(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("CHECK_MEDS_NO_CACHE", "1")
    kbmod.load_knowledge_base()
    assert not (tmp_path / "c").exists()
