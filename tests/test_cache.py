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


# ---- a cache that cannot go stale or be forged ----

import json  # noqa: E402
import random  # noqa: E402
import stat as statmod  # noqa: E402

import pytest  # noqa: E402

import cli  # noqa: E402
from conftest import fuzz_n  # noqa: E402

SITE = ROOT / "tests" / "fixtures" / "site"


def _check_json(capsys, *args) -> dict:
    cli.run(["check", *args, "--format", "json"])
    return json.loads(capsys.readouterr().out)


def test_an_edit_that_keeps_size_and_mtime_is_seen_and_the_digest_is_of_what_was_compiled(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(tmp_path / "c"))
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    before = _check_json(capsys, "zuranolone", "clarithromycin", "--rules", str(site))
    assert [f["severity"] for f in before["findings"]] == ["moderate"]
    f = site / "formulary.yaml"
    st = f.stat()
    text = f.read_text()
    assert text.count("severity: moderate") == 1
    f.write_text(text.replace("severity: moderate", "severity: major   "))  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -d: the old mtime back
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    after = _check_json(capsys, "zuranolone", "clarithromycin", "--rules", str(site))
    assert [f["severity"] for f in after["findings"]] == ["major"]
    digest = lambda doc: [s["digest"] for s in doc["knowledge_base"]["site_rules"]]  # noqa: E731
    assert digest(after) != digest(before)
    # the digest reported is the one of the files as they are now
    fresh = kbmod.compile_dirs(kbmod.rule_dirs([str(site)]))
    assert digest(after) == [s["digest"] for s in fresh["knowledge_base"]["site_rules"]]


def test_cache_corruption_fuzz_never_changes_an_answer(tmp_path, monkeypatch):
    """Seeded bit flips, byte changes and truncations of a cache file: each is detected before unpacking."""
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("CHECK_MEDS_DEBUG", "1")
    good = kbmod.load_knowledge_base()
    (cfile,) = (tmp_path / "c").iterdir()
    original = cfile.read_bytes()
    data = kbmod.load_knowledge_base().data  # the cached tables, unpacked
    compiled = []
    monkeypatch.setattr(kbmod, "compile_dirs", lambda dirs: compiled.append(1) or data)
    rng = random.Random(20261202)
    tried = 0
    runs = fuzz_n(300)
    for i in range(runs):
        b = bytearray(original)
        kind = i % 3
        if kind == 0:
            pos = rng.randrange(len(b))
            b[pos] ^= 1 << rng.randrange(8)
        elif kind == 1:
            for _ in range(rng.randint(1, 4)):
                pos = rng.randrange(len(b))
                b[pos] = (b[pos] + rng.randint(1, 255)) % 256
        else:
            del b[rng.randrange(len(b)) :]
        cfile.write_bytes(bytes(b))
        n = len(compiled)
        kb = kbmod.load_knowledge_base()
        assert len(compiled) == n + 1, f"mutation {i} was used undetected"
        assert any("damaged" in note for note in kb.notes), kb.notes
        assert kb.names == good.names and kb.rules == good.rules
        tried += 1
    assert tried == runs


def test_a_cache_directory_writable_by_others_is_refused_and_not_written(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(shared))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    kb = kbmod.load_knowledge_base()
    assert list(shared.iterdir()) == []
    assert any(f"{shared} not used: writable by other users" in n for n in kb.notes)
    own = tmp_path / "home-cache" / "check-meds"
    assert len(list(own.iterdir())) == 1  # the per-user directory instead, created private
    assert statmod.S_IMODE(own.stat().st_mode) == 0o700


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs to give a file to another user")
def test_a_cache_file_owned_by_another_user_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("CHECK_MEDS_DEBUG", "1")
    kbmod.load_knowledge_base()
    (cfile,) = (tmp_path / "c").iterdir()
    os.chown(cfile, 4242, -1)
    calls = []
    real = kbmod.compile_dirs
    monkeypatch.setattr(kbmod, "compile_dirs", lambda dirs: calls.append(1) or real(dirs))
    kb = kbmod.load_knowledge_base()
    assert calls == [1] and any("owned by another user" in n for n in kb.notes)


def test_a_planted_symlink_is_never_followed(tmp_path, monkeypatch):
    cache = tmp_path / "c"
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(cache))
    kbmod.load_knowledge_base()
    (cfile,) = cache.iterdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file\n")
    cfile.unlink()
    cfile.symlink_to(victim)
    for pid in range(os.getpid() - 3, os.getpid() + 4):  # the old predictable temporary names
        (cache / f"{cfile.name}.{pid}.tmp").symlink_to(victim)
    kb = kbmod.load_knowledge_base()
    assert kb.counts["rules"] > 0
    assert victim.read_text() == "the user's own file\n"
    assert not cfile.is_symlink() and cfile.stat().st_size > 1000
    assert statmod.S_IMODE(cfile.stat().st_mode) == 0o600


def test_an_unusable_cache_directory_falls_back_to_the_per_user_one(tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be")
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(blocked))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    kb = kbmod.load_knowledge_base()
    assert any("not a directory" in n for n in kb.notes)
    calls = []
    monkeypatch.setattr(kbmod, "compile_dirs", lambda dirs: calls.append(dirs))
    kbmod.load_knowledge_base()
    assert calls == []  # read back from the per-user directory: no recompiling on every run


def test_stale_compiled_files_are_pruned(tmp_path, monkeypatch):
    cache = tmp_path / "c"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(cache))
    for i in range(12):  # files an older version or other rule directories left behind
        old = cache / f"kb-{i:08x}-100.marshal"
        old.write_bytes(b"old")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    (cache / ".kb-abandoned.tmp").write_bytes(b"half")
    os.utime(cache / ".kb-abandoned.tmp", (1_000_000, 1_000_000))
    kbmod.load_knowledge_base()
    names = sorted(p.name for p in cache.iterdir())
    assert len(names) == kbmod._KEEP
    assert ".kb-abandoned.tmp" not in names
    assert "kb-0000000b-100.marshal" in names and "kb-00000000-100.marshal" not in names  # the newest kept


@pytest.mark.parametrize("make", ["missing", "file"])
def test_rules_path_that_is_not_a_directory_is_one_line(tmp_path, capsys, make):
    path = tmp_path / "nope"
    if make == "file":
        path.write_text("x")
    code = cli.run(["check", "baclofen", "--rules", str(path)])
    err = capsys.readouterr().err
    # a usage error (exit 2), and no line number: the path is wrong, not a line of a rule file
    assert code == 2 and len(err.splitlines()) == 1 and f"check-meds: {path}: " in err and f"{path}:1" not in err, err


def test_a_read_only_cache_directory_falls_back_to_the_per_user_one_instead_of_compiling_every_run(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o700)
    ro.chmod(0o500)
    real_access = os.access
    # root may write anywhere: emulate the read-only directory an ordinary user meets
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if os.fspath(p) == str(ro) and mode & os.W_OK else real_access(p, mode, **kw))
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(ro))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    try:
        kbmod.load_knowledge_base()
        assert list(ro.iterdir()) == []
        assert [p.suffix for p in (tmp_path / "home-cache" / "check-meds").iterdir()] == [".marshal"]
        calls = []
        monkeypatch.setattr(kbmod, "compile_dirs", lambda dirs: calls.append(dirs))
        kb = kbmod.load_knowledge_base()
        assert calls == [] and kb.counts["rules"] > 0  # read back: no recompiling on every run
    finally:
        ro.chmod(0o700)
