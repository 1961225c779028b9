"""The corpus generator and the benchmark runner at the smallest size, so they do not rot. No timing is checked."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_kg

from benchmarks import __main__ as runner
from benchmarks.corpus import generate


def test_generated_corpus_is_deterministic_and_builds(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    generate(first, 4_000, seed=3)
    generate(second, 4_000, seed=3)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    # Two stories sharing the actors file, each with its text and its three Turtle files.
    assert {f.parts[1] for f in files if f.parts[0] == "triples"} == {"actors", "story-00001", "story-00002"}
    # It follows the ontology and passes the shapes: the real build (evidence, SHACL, HermiT) accepts it.
    result = run_kg("build", "--project", str(first), "--store", str(tmp_path / "store"), "--reasoner", "hermit")
    assert result.returncode == 0, result.stderr
    assert "spans anchored, shapes pass" in result.stderr and "consistent" in result.stderr


def test_runner_measures_every_side_at_the_smallest_size(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    runner.main(["--sizes", "1e3", "--repeat", "1", "--work", str(tmp_path / "work"), "--out", str(out)])
    result = json.loads(out.read_text())["sizes"]["1000"]
    assert result["build"]["triples"] > 1_000 and result["build"]["raw_seconds"] > 0
    assert {"nquads", "turtle"} <= set(result["export"])
    assert "timeline" in result["queries"]
