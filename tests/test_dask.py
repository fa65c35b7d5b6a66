"""The Dask path (docs/scale-out.md) gives exactly the command line's documents. Skipped without dask."""

from __future__ import annotations

import json

import pytest

import cli
from interactions import check_partition

db = pytest.importorskip("dask.bag")


def test_dask_bag_over_partitioned_json_lines_matches_the_cli(tmp_path, capsys):
    lists = [
        ["baclofen", "alcohol"], ["Norco 10-325", "Xanax 0.5 mg PO qHS"], ["hydroxyzne", "lisinopril"], ["acetaminophen"],
        ["warfarin", "Coumadin 5 mg", "aspirin 81 mg"], ["oxycodone", "alprazolam", "gabapentin"], ["tramadol", "sertraline"],
    ]
    expected = []
    for p in range(3):
        lines = [json.dumps({"id": f"p{p}-{i}", "medications": meds, **({"age": 80} if i % 2 else {})}) for i, meds in enumerate(lists)]
        lines.insert(2, "{broken")  # an unreadable line keeps its error entry and line number
        path = tmp_path / f"part-{p:05d}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cli.run(["batch", str(path), "--format", "jsonl", "--no-progress"])
        expected += capsys.readouterr().out.splitlines()
    bag = db.read_text(str(tmp_path / "part-*.jsonl")).map_partitions(check_partition)
    assert bag.npartitions == 3
    assert bag.compute(scheduler="sync") == expected
    assert bag.compute(scheduler="threads") == expected
