"""Time `make data`: the full dataset generation, in a temporary folder (data/ is not touched).

Runs ``python -m helpers.data --out TMP --quiet`` in a fresh interpreter, as
``make data`` does (imports included), with 2 BLAS/OpenMP threads, and prints
the wall time, the row count and the file sizes.  Also checks that the result
is byte-identical to the published ``data/pdfs.csv.gz``, and the classifier it trains to
``data/classifier.npz`` (they must be, on the machine that generated them).

Usage: ``python benchmarks/make_data_time.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _cpu import children_cpu

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="number of timed runs (default: 1)")
    args = parser.parse_args(argv)

    from helpers.data import DATA_DIR, DATASET_FILE, load_pdfs

    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    times = []
    cpu0 = children_cpu()
    with tempfile.TemporaryDirectory(prefix="make_data_") as tmp:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "helpers.generate", "--out", tmp, "--quiet"],
                check=True,
                cwd=REPO,
                env=env,
            )
            times.append(time.perf_counter() - t0)
        cpu = (children_cpu() - cpu0) / args.repeat if cpu0 is not None else None
        out = Path(tmp)
        dataset = out / DATASET_FILE
        t0 = time.perf_counter()
        df = load_pdfs(path=dataset)
        t_load = time.perf_counter() - t0
        digest = hashlib.sha256(dataset.read_bytes()).hexdigest()
        published = DATA_DIR / DATASET_FILE
        same = published.is_file() and published.read_bytes() == dataset.read_bytes()

        print(
            f"make data (python -m helpers.generate): {min(times):.1f} s (best of {len(times)}; {os.cpu_count()} CPUs)"
        )
        if cpu is not None:
            print(f"CPU time (user + sys) per run: {cpu:.1f} s")
        if hasattr(os, "getloadavg"):
            print(
                f"load average (1 min) after the runs: {os.getloadavg()[0]:.1f}: other work slows the wall time"
            )
        print(f"rows: {len(df)}, columns: {df.shape[1]}")
        print(f"{DATASET_FILE}: {dataset.stat().st_size / 1e6:.2f} MB, sha256 {digest}")
        print(f"load_pdfs(): {t_load:.2f} s")
        print(f"identical to data/{DATASET_FILE}: {'yes' if same else 'NO'}")
        model, shipped = out / "classifier.npz", DATA_DIR / "classifier.npz"
        same_model = model.is_file() and shipped.is_file() and model.read_bytes() == shipped.read_bytes()
        print(
            f"classifier.npz (trained by make data) identical to data/classifier.npz: {'yes' if same_model else 'NO'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
