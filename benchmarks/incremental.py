"""One story edited, then ``kg build`` again: ``python -m benchmarks.incremental [--triples 1e5] [--repeat 3]``.

Generates the synthetic corpus (benchmarks/corpus.py), then alternates, each in a fresh process: a full build
(``kg build --full``) and, after changing one label in one story's acts, an incremental ``kg build``. Prints the
median of each, their ratio (the issue's target: at most 5% at 10^5 triples, 2% at 10^6) and the incremental
build's step timings, as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import generate

KG = Path(sys.executable).with_name("kg")
_STEP = re.compile(r"^  (\w+) +.*\((\d+\.\d+) s\)$", re.M)


def _run(args: list[str]) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run([str(KG), *args], capture_output=True, text=True, check=False)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed: {done.stderr.strip()}")
    return took, done.stderr


def measure(triples: int, repeat: int, work: Path) -> dict[str, object]:
    """Full and one-story incremental builds of a ``triples`` corpus, ``repeat`` times each, alternated."""
    project, store = work / "corpus", work / "store"
    corpus = generate(project, triples)
    every = sorted((project / "triples").glob("story-*/acts.ttl"))
    acts = every[len(every) // 2]  # a story in the middle
    full: list[float] = []
    incremental: list[float] = []
    steps: list[dict[str, float]] = []
    for i in range(repeat):
        full.append(_run(["build", "--full", "--project", str(project), "--store", str(store)])[0])
        text = acts.read_text(encoding="utf-8")
        acts.write_text(text.replace('rdfs:label "', f'rdfs:label "edit {i} ', 1), encoding="utf-8")
        took, said = _run(["build", "--project", str(project), "--store", str(store)])
        if "everything derived again" in said or "full build" in said:
            raise SystemExit(f"the rebuild was not story by story:\n{said}")
        incremental.append(took)
        steps.append({name: float(s) for name, s in _STEP.findall(said)})
    return {
        "triples": triples, "stories": corpus["stories"], "edited": acts.relative_to(project).as_posix(),
        "full_seconds": statistics.median(full), "incremental_seconds": statistics.median(incremental),
        "ratio": statistics.median(incremental) / statistics.median(full),
        "incremental_steps": {k: statistics.median(s.get(k, 0.0) for s in steps) for k in steps[0]},
        "runs": {"full": full, "incremental": incremental},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=float, default=1e5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import compileall  # as an installed package runs: from bytecode (see benchmarks/__main__.py)

    compileall.compile_dir(Path(__file__).parent.parent / "kg", quiet=1)
    with tempfile.TemporaryDirectory(prefix="kg-incremental-") as work:
        print(json.dumps(measure(int(args.triples), args.repeat, Path(work)), indent=1))


if __name__ == "__main__":
    main()
