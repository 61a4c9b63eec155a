"""How long `identify` takes on one measured file, and the same candidate fits with DebyeCalculator.

1. ``python -m helpers.identify FILE`` in a fresh interpreter, as a chemist runs it: imports, training the
   classifier on the shipped dataset, reading the file, the quick fits of all 56 candidates and the
   refinement of the best ones (best and median of ``--repeat`` runs; goal <= 10 s on 2 cores).
2. Where the time goes, in one process.
3. With ``--debyecalculator`` (optional dependency, like benchmarks/pdf_vs_debyecalculator.py): the quick
   pass over all 56 candidates (scale, d_nn, Biso, Qdamp; delta2 = 0, which DebyeCalculator does not have)
   once with helpers.pdf and once with DebyeCalculator 1.1.1 computing every G(r) from the scaled atom
   positions, side by side, and the ratio (goal >= 10x).  DebyeCalculator keeps the small-angle scattering
   (its baseline comes from the Qmin cut only), so its Rw values differ a little.

    .venv/bin/python benchmarks/identify_speed.py [--file data/measured/JQ_S1.gr] [--repeat 3]
    /tmp/dcvenv/bin/python benchmarks/identify_speed.py --debyecalculator     # see pdf_vs_debyecalculator.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def cli_times(path: Path, repeat: int) -> list[float]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "helpers.identify", str(path)],
            check=True,
            cwd=REPO,
            env=env,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    return times


def breakdown(path: Path) -> dict[str, float]:
    from helpers import identify as I
    from helpers.fit import R_RANGE, prepare_data

    steps, t0 = {}, time.perf_counter()
    I.classifier()
    steps["train the classifier"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = I.read_measurement(path)
    data = prepare_data(m.r, m.g, qmin=m.qmin, qmax=m.qmax, r_range=R_RANGE)
    steps["read the file"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    I._fit_all(data, workers=2)
    steps["fit all types (56 quick, ~20 refined)"] = time.perf_counter() - t0
    return steps


def quick_pass(data, engine: str) -> tuple[float, dict]:
    """All 56 candidates, refine_delta2=False, one after another; returns (seconds, best Rw per type)."""
    from helpers import fit as F
    from helpers.structures import SIZES, STRUCTURE_TYPES, unit_positions

    original = F._shape_and_scale
    current = {}
    if engine == "debyecalculator":
        import numpy as np
        import torch
        from ase import Atoms
        from debyecalculator import DebyeCalculator

        torch.set_num_threads(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2)
        step = float(data.r[1] - data.r[0])
        calc = DebyeCalculator(
            qmin=data.qmin,
            qmax=data.qmax,
            rmin=float(data.r[0]),
            rmax=float(data.r[-1]) + step / 2,
            rstep=step,
            device="cpu",
        )

        def shape_and_scale(data, geo, d_nn, biso, qdamp, delta2):
            calc.update_parameters(biso=float(biso), qdamp=float(qdamp))
            atoms = Atoms(["Au"] * len(current["unit"]), positions=current["unit"] * d_nn)
            shape = np.asarray(calc.gr(atoms)[1], dtype=float)[: data.r.size] * 2.0  # ordered pairs, as ours
            norm = float(shape @ shape)
            return shape, max(0.0, float(shape @ data.g) / norm) if norm > 0 else 0.0

        F._shape_and_scale = shape_and_scale
    try:
        best, t0 = {}, time.perf_counter()
        for t in STRUCTURE_TYPES:
            for s in SIZES[t]:
                current["unit"] = unit_positions(t, s)
                best[t] = min(best.get(t, 1e9), F.fit_candidate(data, t, s, refine_delta2=False).rw)
        return time.perf_counter() - t0, best
    finally:
        F._shape_and_scale = original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=REPO / "data" / "measured" / "JQ_S1.gr")
    parser.add_argument("--repeat", type=int, default=3, help="fresh-interpreter runs of the CLI (default 3)")
    parser.add_argument(
        "--debyecalculator", action="store_true", help="also run the quick pass with DebyeCalculator"
    )
    args = parser.parse_args(argv)

    times = cli_times(args.file, args.repeat)
    print(
        f"python -m helpers.identify {args.file.name}: best {min(times):.1f} s, median {statistics.median(times):.1f} s "
        f"over {len(times)} fresh runs ({os.cpu_count()} CPUs; goal <= 10 s, classifier training included)"
    )
    for step, seconds in breakdown(args.file).items():
        print(f"  {step:<40} {seconds:5.1f} s")
    if args.debyecalculator:
        from helpers.fit import prepare_data
        from helpers.identify import read_measurement

        m = read_measurement(args.file)
        data = prepare_data(m.r, m.g, qmin=m.qmin, qmax=m.qmax)
        quick_pass(data, "helpers.pdf")  # warm-up: geometries and caches
        ours, best_ours = quick_pass(data, "helpers.pdf")
        theirs, best_theirs = quick_pass(data, "debyecalculator")
        print("quick pass over 56 candidates (delta2 = 0), best Rw per type:")
        for t in best_ours:
            print(f"  {t:<12} helpers.pdf {best_ours[t]:.3f}   DebyeCalculator {best_theirs[t]:.3f}")
        ok = theirs / ours >= 10
        print(
            f"{'PASS' if ok else 'FAIL'}: helpers.pdf {ours:.1f} s, DebyeCalculator {theirs:.1f} s: {theirs / ours:.0f}x (goal >= 10x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
