"""The corpus generator and the benchmark runner at the smallest size, so they do not rot. No timing is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_kg

from benchmarks import __main__ as runner
from benchmarks.corpus import actors, generate
from benchmarks.entities import generate_entities

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)


def test_generated_corpus_is_deterministic_and_builds(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    generate(first, 4_000, seed=3)
    generate(second, 4_000, seed=3)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    # Two stories sharing the actors file (in no story's folder), each with its text, story.ttl and Turtle files.
    assert {f.parts[1] for f in files if f.parts[0] == "triples"} == {"actors.ttl", "story-00001", "story-00002"}
    assert all((first / "triples" / s / "story.ttl").exists() for s in ("story-00001", "story-00002"))
    # It follows the ontology and passes the shapes: the real build (evidence, SHACL, HermiT) accepts it.
    result = run_kg("build", "--project", str(first), "--store", str(tmp_path / "store"), "--reasoner", "hermit")
    assert result.returncode == 0, result.stderr
    assert "spans anchored, shapes pass" in result.stderr and "consistent" in result.stderr
    assert "story triples/story-00002/ (s00002:): " in result.stderr


def test_runner_measures_every_side_at_the_smallest_size(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    runner.main(["--sizes", "1e3", "--repeat", "1", "--work", str(tmp_path / "work"), "--out", str(out),
                 "--link-entities", "1e3"])
    runs = json.loads(out.read_text())
    result = runs["sizes"]["1000"]
    assert result["build"]["triples"] > 1_000 and result["build"]["raw_seconds"] > 0
    assert {"nquads", "turtle"} <= set(result["export"])
    assert "timeline" in result["queries"]
    # kg link add + discover against 1,000 generated entities: each linkable actor of the corpus (8 of the 10
    # shared actors; unnamed groups are not linked) to its one true target, none to the decoys.
    link = runs["link"]["1000"]
    assert link["entities"] == 1_000 and link["targets"] == 8 and link["links"] == 8
    assert link["add_seconds"] > 0 and link["discover_seconds"] > 0 and link["raw_seconds"] > 0


def test_entity_dataset_is_deterministic_with_targets_and_decoys(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    generate_entities(first, 2_000, seed=3)
    generate_entities(second, 2_000, seed=3)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    # The first shared actor (a government body) has its name on a target of its kind and on a place (a decoy).
    label = actors(10, 3)[0].label
    holders = [line.split()[0] for line in text.splitlines() if f'"{label}"@en' in line]
    assert len(holders) == 2
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    assert f"{holders[0]} {rdf_type} <http://schema.org/GovernmentOrganization> .\n" in text
    assert f"{holders[1]} {rdf_type} <http://schema.org/Place> .\n" in text


def test_baselines_alternate_contenders_and_stop_one_that_runs_too_long(tmp_path: Path) -> None:
    from benchmarks.baselines import report, rounds, script

    log = tmp_path / "order"
    step = "import sys, time; open(sys.argv[1], 'a').write(sys.argv[2] + ' '); time.sleep(float(sys.argv[3]))"
    work = step + "; print('work', 0.25, file=sys.stderr)"
    result = rounds({"a": (script(work, str(log), "a", "0"), None),
                     "slow": (script(step, str(log), "slow", "30"), None),
                     "b": (script(step, str(log), "b", "0"), lambda: log.open("a").write("prepare-b ")),
                     }, repeat=2, timeout=3)
    # One of each per round, in order; the slow one is stopped once and not run again.
    assert log.read_text().split() == ["a", "slow", "prepare-b", "b", "a", "prepare-b", "b"]
    assert result["slow"] == {"timed_out_after": 3}
    assert result["a"]["wall"]["n"] == 2 and result["a"]["work"]["median"] == 0.25
    assert result["b"]["wall"]["min"] <= result["b"]["wall"]["median"] <= result["b"]["wall"]["max"]
    assert "work" not in result["b"]
    cli = {name: result["a"] for name in ("kg query external-links", "pyoxigraph script, same query")}
    assert "kg query / script: wall 1.00x; cpu 1.00x" in report({"cli": cli})
    assert 0 < result["a"]["cpu"]["median"] < 3


def test_baselines_report_the_per_triple_cost_of_each_step_across_sizes() -> None:
    from benchmarks.baselines import report

    def size(triples: int, load: float, reason: float) -> dict:
        steps = {name: {"median": t, "min": t, "max": t, "n": 1} for name, t in (("load", load), ("reason", reason))}
        return {"triples": triples, "files": 1, "build": {"kg build": {"steps": steps}}}

    # 2 and 4 µs per triple at 10^4; 2 and 6 at 10^6: loading grows 1.00x, reasoning 1.50x.
    text = report({"sizes": {"10000": size(10_000, 0.02, 0.04), "1000000": size(1_000_000, 2.0, 6.0)}})
    assert "| step | 10,000 | 1,000,000 | largest / smallest |" in text
    assert "| load | 2.0 | 2.0 | 1.00x |" in text
    assert "| reason | 4.0 | 6.0 | 1.50x |" in text
