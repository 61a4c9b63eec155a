"""Time each solution notebook, executed top to bottom in a fresh kernel, and the whole course.

    python benchmarks/time_notebooks.py [--repeat N]

Prints one line per notebook (best of N runs, kernel start-up included) and the
total; the course's goals are <= 20 s per notebook and <= 60 s for all four on a
2-core machine. Nothing is written: the notebooks are executed in memory.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
GOAL_EACH, GOAL_TOTAL = 20.0, 60.0


def run_once(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return time.perf_counter() - start


def main() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # the same settings as `make test`
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook; the best is reported")
    args = parser.parse_args()
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    print(f"cores: {os.cpu_count()}, OMP_NUM_THREADS={threads}, best of {args.repeat} run(s)")
    total = 0.0
    for path in sorted((ROOT / "solutions").glob("[0-9]*.ipynb")):
        best = min(run_once(path) for _ in range(args.repeat))
        total += best
        flag = "ok" if best <= GOAL_EACH else f"OVER the {GOAL_EACH:.0f} s goal"
        print(f"{path.name:<32} {best:6.1f} s  {flag}")
    flag = "ok" if total <= GOAL_TOTAL else f"OVER the {GOAL_TOTAL:.0f} s goal"
    print(f"{'whole course':<32} {total:6.1f} s  {flag}")


if __name__ == "__main__":
    main()
