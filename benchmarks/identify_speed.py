"""How long `identify` takes: one file, next to a busy process, a series in parallel, and against DebyeCalculator.

Printed side by side (goals of issue 18 in brackets); not timed tests.  On a shared machine, say so.

1. ``python -m helpers.identify FILE`` in a fresh interpreter, as a chemist runs it: imports, loading the
   stored classifier (data/classifier.npz) and the catalogue's distances (user cache), reading the file,
   the quick fits of all 56 candidates and the refinement of the best ones (best and median of
   ``--repeat`` runs; goal <= 3 s on 2 cores).
2. The same while one other process keeps a core busy (goal <= 1.6 x the quiet time).
3. All six shipped files in one call with ``--jobs 2`` (goal <= 2.5 x one file), and the floor of any
   parent: a bare parent that imports only joblib and hands the six files to two loky workers at once
   (no classifier check, no table).  The workers' start and imports, plus three files' fits per core,
   are what remains.
4. A series of ``--n-files`` simulated files (catalogue particles, experiment-like parameters) with
   ``--jobs 1`` and ``--jobs 2``: files per second.
5. Where the time goes, in one process.
6. With ``--debyecalculator`` (optional dependency, like benchmarks/pdf_vs_debyecalculator.py): the quick
   pass over all 56 candidates (scale, d_nn, Biso, Qdamp; delta2 = 0, which DebyeCalculator does not have)
   once with helpers.pdf and once with DebyeCalculator 1.1.1 computing every G(r) from the scaled atom
   positions, side by side, and the ratio (goal >= 10x).  DebyeCalculator keeps the small-angle scattering
   (its baseline comes from the Qmin cut only), so its Rw values differ a little.

    .venv/bin/python benchmarks/identify_speed.py [--file data/measured/JQ_S1.gr] [--repeat 3] [--n-files 100]
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

from _cpu import children_cpu

REPO = Path(__file__).resolve().parent.parent


def _env() -> dict:
    # no BLAS/OpenMP settings: a chemist's shell has none; helpers.identify pins BLAS itself (threadpoolctl)
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(name, None)
    return env


CPU = {}  # CPU seconds (user + sys) of the last cli_times run, per run; None where unknown


def cli_times(args: list, repeat: int) -> list[float]:
    """Wall times of ``python -m helpers.identify ARGS`` in fresh interpreters (CPU times in CPU["last"])."""
    times = []
    cpu0 = children_cpu()
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "helpers.identify", *map(str, args)],
            check=False,  # a series with a failed file exits with 1
            cwd=REPO,
            env=_env(),
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    CPU["last"] = None if cpu0 is None else (children_cpu() - cpu0) / repeat
    return times


_BARE_PARENT = """
import sys
from joblib import Parallel, delayed

def one(path):  # sent by value (cloudpickle): the parent never imports helpers, numpy or pandas
    from helpers.series import identify_one
    return identify_one(path)["status"]

print(list(Parallel(n_jobs=2, return_as="generator_unordered")(delayed(one)(f) for f in sys.argv[1:])))
"""


def bare_parent_times(files: list, repeat: int) -> list[float]:
    """Wall times of the bare parent (:data:`_BARE_PARENT`) on ``files``, in fresh interpreters."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", _BARE_PARENT, *map(str, files)], check=True, cwd=REPO, env=_env(),
                       capture_output=True)  # fmt: skip
        times.append(time.perf_counter() - t0)
    return times


def _cpu() -> str:
    return "" if CPU.get("last") is None else f"; CPU {CPU['last']:.2f} s per run"


def busy_times(args: list, repeat: int) -> list[float]:
    """cli_times while another process keeps one core busy."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        return cli_times(args, repeat)
    finally:
        spinner.kill()
        spinner.wait()


def simulated_files(folder: Path, n: int) -> list[Path]:
    """``n`` files of catalogue particles simulated with experiment-like parameters, as .gr with a header."""
    import numpy as np

    from helpers.simulation import draw_parameters, simulate
    from helpers.structures import ELEMENTS, SIZES, STRUCTURE_TYPES

    rng = np.random.default_rng(18)
    r = np.round(np.arange(0, 3001) / 100, 2)
    paths = []
    for k in range(n):
        t = STRUCTURE_TYPES[k % len(STRUCTURE_TYPES)]
        size = int(rng.integers(1, len(SIZES[t]) + 1))
        element = ELEMENTS[int(rng.integers(len(ELEMENTS)))]
        params = draw_parameters(rng)
        g = simulate(t, element, size, params, rng, r=r).g
        path = folder / f"frame_{k:03d}.gr"
        header = f"# simulated {t} {element} size {size}\nqmin = {params['qmin']}\nqmax = {params['qmax']}\n"
        path.write_text(header + "".join(f"{a:.2f} {b:.6f}\n" for a, b in zip(r, g)), encoding="utf-8")
        paths.append(path)
    return paths


def breakdown(path: Path) -> dict[str, float]:
    from helpers import identify as I
    from helpers.fit import R_RANGE, prepare_data
    from helpers.measured import read_pdf

    steps, t0 = {}, time.perf_counter()
    I.classifier()
    steps["load the classifier (stored arrays)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    from helpers.geometries import stored

    stored()
    steps["load the catalogue's distances (cache)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = read_pdf(path)
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

        def shape_and_scale(data, model, d_nn, biso, qdamp, delta2):
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
    parser.add_argument("--n-files", type=int, default=100, help="simulated files of the series (0: skip)")
    parser.add_argument(
        "--debyecalculator", action="store_true", help="also run the quick pass with DebyeCalculator"
    )
    args = parser.parse_args(argv)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} before the runs (other work slows everything)")
    quiet = cli_times([args.file], args.repeat)
    one = min(quiet)
    print(
        f"1. one file, fresh interpreter: python -m helpers.identify {args.file.name}: best {one:.2f} s, "
        f"median {statistics.median(quiet):.2f} s of {len(quiet)}{_cpu()} (goal <= 3 s)"
    )
    steps = breakdown(args.file)  # before the series below, which loads the catalogue's distances
    busy = busy_times([args.file], args.repeat)
    print(
        f"2. the same next to one busy process: best {min(busy):.2f} s = {min(busy) / one:.2f} x quiet "
        f"(goal <= 1.6 x)"
    )
    from helpers.measured import SHIPPED

    shipped = [item.path for item in SHIPPED]  # the six nanoparticle samples (not the format fixtures)
    six = min(cli_times([*shipped, "--jobs", "2"], max(1, args.repeat - 1)))
    print(
        f"3. all {len(shipped)} shipped sample files, --jobs 2, one call: {six:.2f} s = {six / one:.2f} x one file "
        f"(goal <= 2.5 x){_cpu()}"
    )
    bare = min(bare_parent_times(shipped, max(1, args.repeat - 1)))
    print(
        f"3. the same six files from a bare parent (joblib only, two loky workers at once, no table): "
        f"{bare:.2f} s = {bare / one:.2f} x one file: the floor of any parent design"
    )
    if args.n_files:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="identify_series_") as tmp:
            frames = simulated_files(Path(tmp), args.n_files)
            for jobs in (1, 2):
                t = min(cli_times([*frames, "--jobs", str(jobs), "--out", Path(tmp) / "out.csv"], 1))
                print(
                    f"4. {len(frames)} simulated files, --jobs {jobs}: {t:.1f} s, {len(frames) / t:.2f} files/s "
                    f"(fresh interpreter included){_cpu()}"
                )
    print("5. where the time goes (one process, after the imports):")
    for step, seconds in steps.items():
        print(f"  {step:<40} {seconds:6.3f} s")
    if args.debyecalculator:
        from helpers.fit import prepare_data
        from helpers.measured import read_pdf

        m = read_pdf(args.file)
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
