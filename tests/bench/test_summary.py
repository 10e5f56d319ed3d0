"""`make bench` ends with one table and one JSON file of the same figures."""

from __future__ import annotations

import json

from bench.harness import summary


def test_figures_from_every_process_reach_one_table_and_one_json_file(tmp_path, monkeypatch):
    figures = tmp_path / "figures.jsonl"
    monkeypatch.setenv(summary.SUMMARY_FILE, str(figures))
    summary.figure(
        "submit", "tips/s against inserts/s", 200.0, unit="/s", baseline=800.0,
        target="ratio >= 0.35", ok=False,
    )  # fmt: skip
    summary.figure("queue", "first page p95", 30.0, unit="ms", target="< 40 ms", ok=True)

    entries = summary.read(figures)
    lines = summary.table(entries).splitlines()
    assert lines[0].split() == ["figure", "ours", "baseline", "(same", "run)", "ratio", "target",
                                "verdict"]  # fmt: skip
    assert "200.00 /s" in lines[2] and "800.00 /s" in lines[2] and "0.250" in lines[2]
    assert lines[2].endswith("MISSED") and lines[3].endswith("ok")

    written = summary.write_json(entries, tmp_path, ["submit", "queue"])
    document = json.loads(written.read_text())
    assert written.parent == tmp_path / "var" / "bench"
    assert document["measurements"] == ["submit", "queue"]
    assert [figure["ratio"] for figure in document["figures"]] == [0.25, None]
    assert document["figures"][0]["verdict"] == "MISSED"


def test_a_figure_outside_a_bench_run_is_not_written_anywhere(tmp_path, monkeypatch):
    monkeypatch.delenv(summary.SUMMARY_FILE, raising=False)
    monkeypatch.chdir(tmp_path)
    summary.figure("submit", "anything", 1.0)
    assert list(tmp_path.iterdir()) == []
