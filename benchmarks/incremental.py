"""One story edited, then ``kg build`` again: ``python -m benchmarks.incremental [--triples 1e5] [--repeat 3]``.

Generates the synthetic corpus (benchmarks/corpus.py), then alternates, each round: a full build (``kg build
--full``, a fresh process), and after changing one label in one story's acts, an incremental ``kg build`` (a fresh
process) and the same edit built by a watching ``kg build --watch`` (one process for the whole run, on a store of its
own, stopped with SIGSTOP while the others run). Prints the medians, the ratios to the full build (the issue's
target: at most 5% at 10^5 triples, 2% at 10^6) and the incremental build's step timings, as JSON. The watching
build's time runs from the edit to its "built" line, so it includes finding the change (two looks, ``--interval``
0.05 s apart, each a stat of every input file).
"""

from __future__ import annotations

import argparse
import json
import re
import signal
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


class _Watcher:
    """A ``kg build --watch`` process, its stderr read line by line."""

    def __init__(self, project: Path, store: Path) -> None:
        self.process = subprocess.Popen([str(KG), "build", "--watch", "--interval", "0.05", "--project",
                                         str(project), "--store", str(store)], stderr=subprocess.PIPE, text=True)
        self.until("watching ")

    def until(self, start: str) -> str:
        """Everything it says until a line that starts with ``start`` (a failure ends the benchmark)."""
        said = []
        for line in iter(self.process.stderr.readline, ""):  # type: ignore[union-attr]
            said.append(line)
            if line.startswith("kg: "):
                raise SystemExit(f"kg build --watch failed: {line.strip()}")
            if line.startswith(start):
                return "".join(said)
        raise SystemExit(f"kg build --watch ended: {''.join(said)}")

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


def _edit(acts: Path, mark: str) -> None:
    text = acts.read_text(encoding="utf-8")
    acts.write_text(text.replace('rdfs:label "', f'rdfs:label "{mark} ', 1), encoding="utf-8")


def _story_by_story(said: str) -> str:
    if "everything derived again" in said or "full build" in said:
        raise SystemExit(f"the rebuild was not story by story:\n{said}")
    return said


def measure(triples: int, repeat: int, work: Path) -> dict[str, object]:
    """Full, one-story incremental and watched builds of a ``triples`` corpus, ``repeat`` times each, alternated."""
    project, store = work / "corpus", work / "store"
    corpus = generate(project, triples)
    every = sorted((project / "triples").glob("story-*/acts.ttl"))
    acts = every[len(every) // 2]  # a story in the middle
    full: list[float] = []
    incremental: list[float] = []
    watched: list[float] = []
    steps: list[dict[str, float]] = []
    watcher = _Watcher(project, work / "watched")
    try:
        for i in range(repeat):
            watcher.pause()
            full.append(_run(["build", "--full", "--project", str(project), "--store", str(store)])[0])
            _edit(acts, f"edit {i}")
            took, said = _run(["build", "--project", str(project), "--store", str(store)])
            incremental.append(took)
            steps.append({name: float(s) for name, s in _STEP.findall(_story_by_story(said))})
            watcher.resume()
            watcher.until("built ")  # the edit above, built by the watcher too (not timed)
            _edit(acts, f"watched {i}")
            began = time.perf_counter()
            said = watcher.until("built ")
            watched.append(time.perf_counter() - began)
            _story_by_story(said)
    finally:
        watcher.stop()
    return {
        "triples": triples, "stories": corpus["stories"], "edited": acts.relative_to(project).as_posix(),
        "full_seconds": statistics.median(full), "incremental_seconds": statistics.median(incremental),
        "ratio": statistics.median(incremental) / statistics.median(full),
        "watched_seconds": statistics.median(watched),
        "watched_ratio": statistics.median(watched) / statistics.median(full),
        "incremental_steps": {k: statistics.median(s.get(k, 0.0) for s in steps) for k in steps[0]},
        "runs": {"full": full, "incremental": incremental, "watched": watched},
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
