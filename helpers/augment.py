"""Data augmentation by re-simulation: new experiment-like PDFs of known structures.

A model trained on ``clean`` PDFs has never seen a short Q range, a broad
instrument resolution, thermal motion, a low-r artefact or noise, and it fails
on data that have them.  Instead of perturbing the clean curves ad hoc,
:func:`augment_pdfs` *re-simulates* each particle with randomly drawn
experimental parameters, by the dataset's own recipe
(:func:`helpers.simulation.simulate`, parameters from
:data:`helpers.simulation.PARAMETERS`): Qmin and Qmax (the measured Q range),
Qdamp (resolution), Biso and delta2 (thermal and correlated motion), lattice
strain, noise, a low-r artefact and a scale factor.

Each is drawn from a range; by default the table's experiment-like ranges
(those of the dataset's ``experimental`` rows).  The result has the dataset's
columns (``condition = "augmented"``), so :func:`helpers.data.to_xy` works on it.

Example::

    from helpers.augment import augment_pdfs
    from helpers.data import load_pdfs, to_xy

    clean = load_pdfs("clean")
    extra = augment_pdfs(clean, n_copies=3, seed=0)   # 3 experiment-like PDFs per clean row
    X_aug, y_aug = to_xy(extra)
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral

import numpy as np
import pandas as pd

from helpers.data import GR_COLUMNS, META_COLUMNS, R_GRID
from helpers.simulation import PARAMETERS, check_ranges, draw_parameters, simulate, simulate_structure
from helpers.validation import check_scalar


def _as_rng(seed) -> np.random.Generator:
    """A numpy Generator from an integer seed (or the Generator itself, to continue its stream)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_scalar(seed, "seed", Integral, min_val=0))


def simulate_like_experiment(atoms, seed=0, *, ranges: Mapping | None = None) -> tuple[np.ndarray, dict]:
    """The normalised PDF of ``atoms`` on :data:`helpers.data.R_GRID`, as an experiment might give it.

    Draws one set of parameters from ``ranges`` (``None``: the table's experiment-like
    ranges) and applies the dataset's recipe (:func:`helpers.simulation.simulate_structure`)
    to any monoatomic structure, e.g. a disordered one.  ``seed`` is an integer or a
    ``numpy.random.Generator`` (to draw several PDFs from one stream).
    Returns ``(g, params)``: an array of shape (291,) and the parameters used as a dict (the drawn
    ones; delta2 lowered where a disordered structure has very close pairs).
    """
    rng = _as_rng(seed)
    g, _, used = simulate_structure(atoms, draw_parameters(rng, ranges), rng, r=R_GRID)
    return g, used


def augment_pdfs(
    df: pd.DataFrame, n_copies: int = 1, *, seed=0, ranges: Mapping | None = None
) -> pd.DataFrame:
    """Re-simulate every particle of ``df`` ``n_copies`` times with random experimental parameters.

    Parameters
    ----------
    df : rows of the dataset (e.g. ``load_pdfs("clean")`` or a training split of it); only the
        columns ``structure_type``, ``element`` and ``size`` are used, to rebuild each particle.
    n_copies : new PDFs per row (a positive integer).
    seed : seed (integer or ``numpy.random.Generator``) of the random parameters and noise;
        the same integer seed gives the same result.
    ranges : ranges ``{"qmax": (low, high), ...}`` of the parameters (see
        :func:`helpers.simulation.check_ranges`); ``None`` uses the table's experiment-like ones.

    Returns
    -------
    A DataFrame with the dataset's columns (metadata, then 291 normalised G(r) columns on
    :data:`helpers.data.R_GRID`), ``len(df) * n_copies`` rows (the copies of a row follow it),
    ``condition = "augmented"``, and the drawn parameters in their columns.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame (rows of the dataset), got {type(df).__name__}")
    missing = [c for c in ("structure_type", "element", "size") if c not in df.columns]
    if missing:
        raise ValueError(
            f"df lacks the column(s) {missing} needed to rebuild the particles; is it from load_pdfs()?"
        )
    n_copies = check_scalar(n_copies, "n_copies", Integral, min_val=1)
    rng = _as_rng(seed)
    check_ranges(ranges)  # a bad range is reported before any work
    names = [p.name for p in PARAMETERS]
    g_rows = np.empty((len(df) * n_copies, len(R_GRID)))
    meta: list[list] = []
    for stype, element, size in df[["structure_type", "element", "size"]].itertuples(index=False):
        for _ in range(n_copies):
            params = draw_parameters(rng, ranges)
            row = simulate(str(stype), str(element), int(size), params, rng)
            g_rows[len(meta)] = row.g
            meta.append(
                [str(stype), str(element), int(size), row.shape, row.n_atoms, row.diameter, row.d_nn]
                + ["augmented"]
                + [params[n] for n in names]
                + [row.g_max]
            )
    out = pd.DataFrame(meta, columns=META_COLUMNS)
    for col in ("structure_type", "element", "shape", "condition"):
        out[col] = out[col].astype(str)
    return pd.concat([out, pd.DataFrame(g_rows, columns=GR_COLUMNS)], axis=1)
