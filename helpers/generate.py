"""Writing the course dataset: ``python -m helpers.generate`` (``make data``).

It also writes, beside the dataset, the classifier :mod:`helpers.identify` uses, trained on it
(``classifier.npz`` + ``classifier.json``, see :mod:`helpers.classifier`).

For every structure type x element x size of :mod:`helpers.structures` (in that
nesting order) one ``clean`` row (every parameter at its clean value) and
``n_experimental`` ``experimental`` rows (parameters drawn from the table's
experiment-like ranges), each made by :func:`helpers.simulation.simulate`.
All randomness comes from one ``numpy.random.Generator(PCG64(seed))`` consumed in
row order, so the file is byte-identical on every run (on one platform).
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
import time
from collections.abc import Iterable
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data import CONDITIONS, DATA_DIR, DATASET_FILE, GR_COLUMNS, META_COLUMNS, load_pdfs
from helpers.files import atomic_write_bytes, sha256_file
from helpers.simulation import PARAMETERS, clean_parameters, draw_parameters, simulate
from helpers.structures import ELEMENTS, SIZES, STRUCTURE_TYPES
from helpers.validation import check_scalar

DEFAULT_SEED = 2025
"""Seed of the published dataset (``python -m helpers.generate --seed``)."""

N_EXPERIMENTAL = 5
"""``experimental`` rows per particle in the published dataset."""

G_DECIMALS = 4
"""Decimals of the stored normalised G(r) values."""


def generate_dataset(
    seed: int = DEFAULT_SEED,
    n_experimental: int = N_EXPERIMENTAL,
    progress: bool = True,
    *,
    types: Iterable[str] | None = None,
    elements: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Simulate the course dataset (see ``data/README.md``) and return it as a DataFrame.

    ``types`` / ``elements`` restrict it (for quick tests; the random stream then
    differs from the full dataset's).  Metadata columns: :data:`helpers.data.META_COLUMNS`.
    """
    from tqdm.auto import tqdm

    types = STRUCTURE_TYPES if types is None else tuple(types)
    elements = ELEMENTS if elements is None else tuple(elements)
    bad = [t for t in types if t not in STRUCTURE_TYPES]
    if bad:
        raise ValueError(f"unknown structure types {bad}: expected some of {', '.join(STRUCTURE_TYPES)}")
    n_experimental = check_scalar(n_experimental, "n_experimental", Integral, min_val=0)
    seed = check_scalar(seed, "seed", Integral, min_val=0)

    rng = np.random.Generator(np.random.PCG64(seed))
    n_rows = sum(len(SIZES[t]) for t in types) * len(elements) * (1 + n_experimental)
    meta: list[list] = []
    g_rows = np.empty((n_rows, len(GR_COLUMNS)))
    names = [p.name for p in PARAMETERS]
    with tqdm(total=n_rows, desc="simulating PDFs", unit="PDF", disable=not progress) as bar:
        for stype in types:
            for element in elements:
                for size in SIZES[stype]:
                    for k in range(1 + n_experimental):
                        condition = CONDITIONS[0] if k == 0 else CONDITIONS[1]
                        params = clean_parameters() if k == 0 else draw_parameters(rng)
                        row = simulate(stype, element, size, params, rng)
                        g_rows[len(meta)] = row.g
                        meta.append(
                            [stype, element, int(size), row.shape, row.n_atoms, round(row.diameter, 2)]
                            + [row.d_nn, condition]
                            + [params[n] for n in names]
                            + [round(row.g_max, 4) + 0.0]
                        )
                        bar.update()
    df = pd.DataFrame(meta, columns=META_COLUMNS)
    g_df = pd.DataFrame(np.round(g_rows, G_DECIMALS) + 0.0, columns=GR_COLUMNS)
    return pd.concat([df, g_df], axis=1)


def dataset_bytes(df: pd.DataFrame) -> bytes:
    """The dataset as gzip-compressed CSV bytes, identical on every run (gzip mtime 0, no file name)."""
    text = df.to_csv(index=False, lineterminator="\n")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="", compresslevel=6) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def write_dataset(df: pd.DataFrame, path) -> Path:
    """Write ``df`` as gzip-compressed CSV to ``path`` (atomically, byte-reproducibly). Returns the path."""
    path = Path(path)
    atomic_write_bytes(path, dataset_bytes(df))
    return path


def write_classifier(df: pd.DataFrame, path) -> Path:
    """Train :mod:`helpers.identify`'s classifier on the dataset ``df`` read from ``path`` and store it
    beside it (``classifier.npz`` + ``classifier.json``, :mod:`helpers.classifier`). Returns the npz path."""
    from helpers.classifier import save, train

    path = Path(path)
    return save(train(df, dataset_sha256=sha256_file(path)), path.parent)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.generate [--out DIR] [--seed N] [--quiet]``."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.generate", description=f"Simulate the course dataset ({DATASET_FILE})."
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    path = write_dataset(generate_dataset(seed=args.seed, progress=not args.quiet), args.out / DATASET_FILE)
    elapsed = time.perf_counter() - t0
    df = load_pdfs(path=path)
    complete = set(df["structure_type"]) == set(STRUCTURE_TYPES)  # a 7-class classifier needs all 7 types
    model = write_classifier(df, path) if complete else None
    elapsed_model = time.perf_counter() - t0 - elapsed
    if not args.quiet:
        counts = df.groupby(["structure_type", "condition"], sort=False).size().unstack("condition")
        print(f"{len(df)} rows x {df.shape[1]} columns, seed {args.seed}, {elapsed:.1f} s")
        print(counts.to_string())
        print(f"{path}: {path.stat().st_size} bytes, sha256 {sha256_file(path)}")
        if model is not None:
            print(f"{model}: the classifier of helpers.identify, trained on it ({elapsed_model:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
