"""Speed of helpers.pdf.compute_pdf at about 100, 500 and 2000 atoms, against the naive floor.

For every structure type it prints the time per PDF (best of several, r = 1-30 Å in steps of 0.01 Å,
Qmax 25 Å⁻¹) of the naive floor - ``scipy.spatial.distance.pdist`` + ``np.bincount`` of the distances on
the same particle, the least any method that looks at every pair must do - and of compute_pdf with
delta2 = 0, their ratio (it does not depend on the machine the way a comparison with another program
does), compute_pdf with delta2 = 2 Å² (the distance bands of the correlated-motion widths) and its ratio
to delta2 = 0, and the first-peak height ratio delta2 = 2 / delta2 = 0 of FCC Pt.  ``--compare-with FILE`` also
times another version of the module (e.g. the one before correlated motion was added:
``git show 21e26c0:helpers/pdf.py > /tmp/pdf_before.py``), called with its own defaults.

    .venv/bin/python benchmarks/pdf_speed.py [--compare-with /tmp/pdf_before.py]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time

import numpy as np
from _particles import particles
from scipy.spatial.distance import pdist

from helpers.pdf import _node_spacing, compute_pdf
from helpers.structures import STRUCTURE_TYPES

R = np.round(np.arange(100, 3001) / 100, 2)
BASE = {"qmin": 1.0, "qmax": 25.0, "qdamp": 0.04, "biso": 0.5}


def best_time(function, min_seconds: float = 0.5) -> float:
    function()  # warm-up (caches)
    best, start = float("inf"), time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - t0)
    return best


def floor(positions: np.ndarray, qmax: float) -> np.ndarray:
    """The naive floor: every pair distance (pdist) counted into bins of the engine's width (np.bincount)."""
    return np.bincount((pdist(positions) * (32.0 / _node_spacing(qmax))).astype(np.intp))


def load_module(path: str):
    spec = importlib.util.spec_from_file_location("pdf_other", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare-with", help="another helpers/pdf.py to time (with its own defaults)")
    parser.add_argument("--min-seconds", type=float, default=0.5, help="timing per case (default 0.5 s)")
    args = parser.parse_args(argv)
    other = load_module(args.compare_with) if args.compare_with else None

    header = (
        f"{'type':<12} {'atoms':>5} {'floor ms':>8} {'δ2=0 ms':>8} {'/floor':>6} {'δ2=2 ms':>8} {'ratio':>6}"
        + (f" {'other ms':>9}" if other else "")
    )
    print(
        f"r = 1-30 Å step 0.01 Å, {', '.join(f'{k}={v}' for k, v in BASE.items())}, small-angle scattering removed"
    )
    print(header)
    print("-" * len(header))
    for structure_type in STRUCTURE_TYPES:
        for atoms in particles(structure_type, "Pt"):
            pos = atoms.get_positions()
            tf = best_time(lambda pos=pos: floor(pos, BASE["qmax"]), args.min_seconds)
            t0 = best_time(lambda atoms=atoms: compute_pdf(atoms, R, **BASE), args.min_seconds)
            t2 = best_time(lambda atoms=atoms: compute_pdf(atoms, R, **BASE, delta2=2.0), args.min_seconds)
            line = (
                f"{structure_type:<12} {len(atoms):>5} {tf * 1e3:>8.2f} {t0 * 1e3:>8.2f} {t0 / tf:>6.2f} "
                f"{t2 * 1e3:>8.2f} {t2 / t0:>6.2f}"
            )
            if other:
                t_other = best_time(lambda atoms=atoms: other.compute_pdf(atoms, R), args.min_seconds)
                line += f" {t_other * 1e3:>9.2f}"
            print(line, flush=True)

    fcc = particles("FCC", "Pt")[0]
    first = (R > 2.4) & (R < 3.2)
    heights = [compute_pdf(fcc, R, **BASE, delta2=d2)[first].max() for d2 in (0.0, 2.0)]
    print(
        f"first-peak height of FCC Pt ({len(fcc)} atoms), delta2 = 2 Å² / delta2 = 0: {heights[1] / heights[0]:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
