"""Side-by-side check of ``helpers.pdf.compute_pdf`` against DebyeCalculator 1.1.1 (correctness and speed).

Both in the pure Debye convention (``include_sas=True``, ``delta2=0``): DebyeCalculator has neither the
small-angle-scattering removal nor correlated motion.

For every structure type at about 100, 500 and 2000 atoms it prints the Pearson
correlation of the two G(r), the amplitude ratio (ours / DebyeCalculator, least
squares), the time per PDF of each (best of several repeats after a warm-up,
same r grid and parameters, CPU), and the speed ratio.  The last line says
whether every correlation is >= 0.995 and every speed ratio is >= 3, thread for thread (both on one
thread by default; ``--threads N`` gives DebyeCalculator N).

DebyeCalculator and torch are optional dependencies, not installed with the
course; use a separate environment, e.g.::

    python3 -m venv /tmp/dcvenv
    /tmp/dcvenv/bin/pip install torch debyecalculator==1.1.1 ase numpy scipy
    /tmp/dcvenv/bin/pip install -e . --no-deps
    /tmp/dcvenv/bin/python benchmarks/pdf_vs_debyecalculator.py

Expected amplitude ratio: 2.000.  helpers.pdf follows DiffPy (F(Q) sums over
ordered pairs i≠j, so the first-shell area of r·G(r) is the coordination
number); DebyeCalculator sums each unordered pair once.

Column "r fineQ": correlation with DebyeCalculator run in float64 with a Q step
of 0.01 Å⁻¹.  At its default Q step, pi / (rmax + rstep) ≈ 0.105 Å⁻¹,
DebyeCalculator's G(r) is periodic with period ≈ 60 Å, so distances longer
than ~30 Å (the 2000-atom particles) fold back into r < 30 Å; helpers.pdf
uses a Q grid fine enough to avoid that.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np

try:
    import torch
    from debyecalculator import DebyeCalculator
except ImportError as error:  # optional dependencies
    raise SystemExit(
        f"This benchmark needs the optional packages torch and debyecalculator==1.1.1 ({error}).\n"
        "Install them in a separate environment, see the docstring of benchmarks/pdf_vs_debyecalculator.py."
    ) from None

from _particles import particles

from helpers.pdf import compute_pdf
from helpers.structures import STRUCTURE_TYPES

# DebyeCalculator's physics: the pure Debye equation (its baseline comes from the Qmin cut only) and
# uncorrelated motion, so helpers.pdf is run with include_sas=True and delta2 = 0 here
PARAMETERS = {"qmin": 0.7, "qmax": 25.0, "qdamp": 0.04, "biso": 0.3}
OURS = PARAMETERS | {"delta2": 0.0, "include_sas": True}
R_MIN, R_MAX, R_STEP = 1.5, 30.0, 0.01
MIN_CORRELATION, MIN_SPEEDUP = 0.995, 3.0
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def best_times(functions, repeats: int, min_seconds: float, block_seconds: float = 0.1) -> list[float]:
    """Best wall time of each function, after one warm-up call each.

    The functions are timed in alternating blocks of calls (about ``block_seconds`` each): blocks, so
    that one calculator's leftover threads (OpenMP workers keep spinning for a while after a torch call)
    do not slow down the other; alternating, so that changes in the load of the machine affect both.
    Rounds of blocks go on until ``repeats`` rounds and ``min_seconds`` have passed.
    """
    calls = []
    for function in functions:
        t0 = time.perf_counter()
        function()
        calls.append(max(1, min(200, int(block_seconds / max(time.perf_counter() - t0, 1e-6)))))
    best = [float("inf")] * len(functions)
    start, rounds = time.perf_counter(), 0
    while rounds < repeats or time.perf_counter() - start < min_seconds:
        for index, function in enumerate(functions):
            for _ in range(calls[index]):
                t0 = time.perf_counter()
                function()
                best[index] = min(best[index], time.perf_counter() - t0)
        rounds += 1
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--element", default="Pt", help="metal of the particles (default Pt)")
    parser.add_argument("--repeats", type=int, default=5, help="minimum rounds of timing blocks (default 5)")
    parser.add_argument(
        "--min-seconds", type=float, default=3.0, help="minimum timing per case (default 3 s)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: thread for thread, as helpers.pdf uses one; "
        f"--threads {CORES} gives DebyeCalculator every core, and the ratio then depends on the machine)",
    )
    parser.add_argument(
        "--types", nargs="+", default=list(STRUCTURE_TYPES), choices=STRUCTURE_TYPES, metavar="TYPE"
    )
    parser.add_argument("--no-fine-q", action="store_true", help="skip the fine-Q DebyeCalculator column")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    calculator_options = {
        **PARAMETERS,
        "rmin": R_MIN,
        "rmax": R_MAX + R_STEP / 2,  # torch.arange excludes rmax
        "rstep": R_STEP,
        "device": "cpu",
    }
    with warnings.catch_warnings():  # local: DebyeCalculator warns when a GPU exists but CPU is asked for
        warnings.simplefilter("ignore", UserWarning)
        calculator = DebyeCalculator(**calculator_options)
        fine_q = DebyeCalculator(**calculator_options, qstep=0.01, dtype=torch.float64)

    print(
        f"DebyeCalculator {version('debyecalculator')} on CPU, torch {torch.__version__} with "
        f"torch.set_num_threads({args.threads}) of the {CORES} cores here "
        "(helpers.pdf uses one thread; see benchmarks/pdf_speed.py for its time against the naive floor)."
    )
    print(
        f"{args.element} particles, r = {R_MIN}..{R_MAX} Å step {R_STEP}, "
        + ", ".join(f"{key}={value}" for key, value in OURS.items())
    )
    header = (
        f"{'type':<12} {'size':>4} {'atoms':>5} {'r':>8} {'r fineQ':>9} {'ampl':>6} "
        f"{'ours ms':>8} {'DC ms':>8} {'speedup':>7}"
    )
    print(header)
    print("-" * len(header))

    correlations, speedups = [], []
    for structure_type in args.types:
        for size, atoms in enumerate(particles(structure_type, args.element), start=1):
            r_dc, g_dc = calculator.gr(atoms)
            r = np.asarray(r_dc, dtype=float)  # the very r values DebyeCalculator used
            g_dc = np.asarray(g_dc, dtype=float)
            g_ours = compute_pdf(atoms, r, **OURS)
            g_fine = None if args.no_fine_q else np.asarray(fine_q.gr(atoms)[1], dtype=float)

            correlation = float(np.corrcoef(g_ours, g_dc)[0, 1])
            correlation_fine = float("nan") if g_fine is None else float(np.corrcoef(g_ours, g_fine)[0, 1])
            amplitude = float(g_ours @ g_dc / (g_dc @ g_dc))
            ours, theirs = best_times(
                [
                    lambda atoms=atoms, r=r: compute_pdf(atoms, r, **OURS),
                    lambda atoms=atoms: calculator.gr(atoms),
                ],
                args.repeats,
                args.min_seconds,
            )
            correlations.append(correlation)
            speedups.append(theirs / ours)
            print(
                f"{structure_type:<12} {size:>4} {len(atoms):>5} {correlation:>8.5f} {correlation_fine:>9.6f} "
                f"{amplitude:>6.3f} {ours * 1e3:>8.2f} {theirs * 1e3:>8.2f} {theirs / ours:>7.1f}",
                flush=True,
            )

    print(
        "r: Pearson correlation with DebyeCalculator (default Q step); r fineQ: with DebyeCalculator at "
        "Q step 0.01 in float64;\nampl: least-squares scale ours/DebyeCalculator (2.000 expected: ordered vs "
        "unordered pairs); times: best wall time per PDF (blocks of calls, alternating); speedup = DC / ours."
    )
    ok = min(correlations) >= MIN_CORRELATION and min(speedups) >= MIN_SPEEDUP
    print(
        f"{'PASS' if ok else 'FAIL'}: min Pearson r = {min(correlations):.5f} (need >= {MIN_CORRELATION}), "
        f"min speedup = {min(speedups):.1f}x (need >= {MIN_SPEEDUP:g}x)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
