"""Data augmentation by re-simulation: new experiment-like PDFs of known structures.

A model trained on ``clean`` PDFs has never seen a short Q range, a broad
instrument resolution, thermal motion or noise, and it fails on data that have
them.  Instead of perturbing the clean curves ad hoc, :func:`augment_pdfs`
*re-simulates* each particle with randomly drawn experimental parameters, with
the same physics as the dataset (:func:`helpers.pdf.pdf_from_distances`):

* ``qmax`` (Å⁻¹) - the largest measured momentum transfer; a smaller Qmax
  broadens the peaks and adds termination ripples;
* ``qdamp`` (Å⁻¹) - the instrument resolution; damps G(r) at high r;
* ``biso`` (Å²) - the isotropic atomic displacement (Debye-Waller) parameter;
  broadens every peak;
* ``strain`` - an isotropic lattice strain, d_nn -> d_nn (1 + strain);
* ``noise`` - the standard deviation of Gaussian noise added to G(r), as a
  fraction of max|G|.

Each is drawn uniformly from a range; :data:`DEFAULT_RANGES` are the ranges
of the dataset's ``experimental`` rows.  The result has the dataset's columns
(``condition = "augmented"``), so :func:`helpers.data.to_xy` works on it.

Example::

    from helpers.augment import augment_pdfs
    from helpers.data import load_pdfs, to_xy

    clean = load_pdfs("clean")
    extra = augment_pdfs(clean, n_copies=3, seed=0)   # 3 experiment-like PDFs per clean row
    X_aug, y_aug = to_xy(extra)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.data import CLEAN_PARAMS, EXPERIMENTAL_RANGES, GR_COLUMNS, META_COLUMNS, R_GRID

PARAMETERS: tuple[str, ...] = ("qmax", "qdamp", "biso", "strain", "noise")
"""The parameters that :func:`augment_pdfs` draws, in the order they are drawn for each new PDF."""

DEFAULT_RANGES: dict[str, tuple[float, float]] = {k: tuple(EXPERIMENTAL_RANGES[k]) for k in PARAMETERS}
"""Uniform ranges (low, high) of the dataset's ``experimental`` rows: Qmax 12-25 Å⁻¹, Qdamp 0.01-0.05 Å⁻¹,
Biso 0.1-1.0 Å², strain ±2 %, noise 0.5-3 % of max|G|."""

_LIMITS = {  # what each parameter may physically be: (lowest allowed, highest allowed, unit)
    "qmax": (CLEAN_PARAMS["qmin"], np.inf, "Å⁻¹, above qmin = 0.7"),
    "qdamp": (0.0, np.inf, "Å⁻¹, >= 0"),
    "biso": (0.0, np.inf, "Å², >= 0"),
    "strain": (-0.5, 0.5, "a fraction between -0.5 and 0.5"),
    "noise": (0.0, np.inf, "a fraction of max|G|, >= 0"),
}


def check_ranges(ranges: Mapping | None) -> dict[str, tuple[float, float]]:
    """Validate ``ranges`` and fill in the missing parameters.

    ``ranges`` maps some of :data:`PARAMETERS` to ``(low, high)``; a parameter
    that is left out keeps its ``clean`` value (e.g. ``{"noise": (0.1, 0.1)}``
    gives clean PDFs with 10 % noise).  ``None`` means :data:`DEFAULT_RANGES`.
    Returns a complete dict; raises ValueError/TypeError naming the bad entry.
    """
    if ranges is None:
        return dict(DEFAULT_RANGES)
    if not isinstance(ranges, Mapping):
        raise TypeError(f"ranges must be a dict like {{'qmax': (12.0, 25.0)}}, got {type(ranges).__name__}")
    unknown = sorted(set(ranges) - set(PARAMETERS))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {unknown} in ranges: expected some of {', '.join(PARAMETERS)}"
        )
    out = {}
    for key in PARAMETERS:
        if key not in ranges:
            value = CLEAN_PARAMS[key]
            out[key] = (value, value)
            continue
        pair = ranges[key]
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ValueError(f"ranges[{key!r}] must be a pair of numbers (low, high), got {pair!r}") from None
        lo_ok, hi_ok, unit = _LIMITS[key]
        if not (np.isfinite(low) and np.isfinite(high)) or low > high:
            raise ValueError(f"ranges[{key!r}] must be finite with low <= high, got {pair!r}")
        if low < lo_ok or high > hi_ok or (key == "qmax" and low <= lo_ok):
            raise ValueError(f"ranges[{key!r}] = {pair!r} is out of bounds: {key} is {unit}")
        out[key] = (low, high)
    return out


def _as_rng(seed) -> np.random.Generator:
    """A numpy Generator from an integer seed (or the Generator itself, to continue its stream)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _draw(rng: np.random.Generator, bounds: dict[str, tuple[float, float]]) -> dict[str, float]:
    """One set of parameters, drawn uniformly in the order of :data:`PARAMETERS`."""
    return {k: float(rng.uniform(*bounds[k])) for k in PARAMETERS}


def _add_noise_and_normalise(
    g: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, float]:
    """G + Gaussian noise of sigma ``noise`` x max|G|, divided by its new max|G|; returns (G, max|G|)."""
    g = g + rng.standard_normal(g.shape) * (noise * np.max(np.abs(g)))
    g_max = float(np.max(np.abs(g)))
    return g / g_max, g_max


def simulate_like_experiment(atoms, seed=0, *, ranges: Mapping | None = None) -> tuple[np.ndarray, dict]:
    """The normalised PDF of ``atoms`` on :data:`helpers.data.R_GRID`, as an experiment might give it.

    Draws one set of :data:`PARAMETERS` from ``ranges`` (``None``: :data:`DEFAULT_RANGES`),
    strains the particle by ``1 + strain`` about its centre, simulates G(r) with
    :func:`helpers.pdf.compute_pdf`, adds the noise and normalises to max|G| = 1 - the
    recipe of the dataset's ``experimental`` rows, for any structure (e.g. a disordered one).

    ``seed`` is an integer or a ``numpy.random.Generator`` (to draw several PDFs from one stream).
    Returns ``(g, params)``: an array of shape (291,) and the drawn parameters as a dict.
    """
    from helpers.pdf import compute_pdf

    if not hasattr(atoms, "get_positions"):
        raise TypeError(f"atoms must be an ase.Atoms object, got {type(atoms).__name__}")
    rng = _as_rng(seed)
    p = _draw(rng, check_ranges(ranges))
    strained = atoms.copy()
    centre = strained.get_positions().mean(axis=0)
    strained.set_positions(centre + (strained.get_positions() - centre) * (1.0 + p["strain"]))
    g = compute_pdf(
        strained, R_GRID, qmin=CLEAN_PARAMS["qmin"], qmax=p["qmax"], qdamp=p["qdamp"], biso=p["biso"]
    )
    g, _ = _add_noise_and_normalise(g, p["noise"], rng)
    return g, p


@lru_cache(maxsize=128)
def _unit_distances(structure_type: str, size: int) -> tuple[int, np.ndarray]:
    """(n_atoms, pair distances) of the particle built with nearest-neighbour distance 1."""
    from scipy.spatial.distance import pdist

    from helpers.structures import make_particle

    pos = make_particle(structure_type, "Au", size, d_nn=1.0).get_positions()
    d = pdist(pos)
    d.setflags(write=False)
    return len(pos), d


def augment_pdfs(
    df: pd.DataFrame,
    n_copies: int = 1,
    *,
    seed=0,
    ranges: Mapping | None = None,
) -> pd.DataFrame:
    """Re-simulate every particle of ``df`` ``n_copies`` times with random experimental parameters.

    Parameters
    ----------
    df : rows of the dataset (e.g. ``load_pdfs("clean")`` or a training split of it); only the
        columns ``structure_type``, ``element`` and ``size`` are used, to rebuild each particle.
    n_copies : new PDFs per row (a positive integer).
    seed : seed (integer or ``numpy.random.Generator``) of the random parameters and noise;
        the same integer seed gives the same result.
    ranges : uniform ranges ``{"qmax": (low, high), ...}`` of the parameters (see
        :func:`check_ranges`); ``None`` uses :data:`DEFAULT_RANGES`.

    Returns
    -------
    A DataFrame with the dataset's columns (metadata, then 291 normalised G(r) columns on
    :data:`helpers.data.R_GRID`), ``len(df) * n_copies`` rows (the copies of a row follow it),
    ``condition = "augmented"``, and the drawn parameters in the ``qmax`` ... ``noise`` columns.
    """
    from helpers.pdf import pdf_from_distances
    from helpers.structures import nearest_neighbour_distance

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame (rows of the dataset), got {type(df).__name__}")
    missing = [c for c in ("structure_type", "element", "size") if c not in df.columns]
    if missing:
        raise ValueError(
            f"df lacks the column(s) {missing} needed to rebuild the particles; is it from load_pdfs()?"
        )
    if isinstance(n_copies, bool) or not isinstance(n_copies, (int, np.integer)) or n_copies < 1:
        raise ValueError(f"n_copies must be a positive integer, got {n_copies!r}")
    rng = _as_rng(seed)
    bounds = check_ranges(ranges)

    qmin = CLEAN_PARAMS["qmin"]
    n_rows = len(df) * int(n_copies)
    g_rows = np.empty((n_rows, len(R_GRID)))
    meta: list[list] = []
    for stype, element, size in df[["structure_type", "element", "size"]].itertuples(index=False):
        n_atoms, unit_d = _unit_distances(str(stype), int(size))
        d_bulk = nearest_neighbour_distance(str(element))
        for _ in range(int(n_copies)):
            p = _draw(rng, bounds)
            d_nn = d_bulk * (1.0 + p["strain"])
            g = pdf_from_distances(
                unit_d * d_nn, n_atoms, R_GRID, qmin=qmin, qmax=p["qmax"], qdamp=p["qdamp"], biso=p["biso"]
            )
            g_rows[len(meta)], g_max = _add_noise_and_normalise(g, p["noise"], rng)
            meta.append(
                [
                    str(stype),
                    str(element),
                    int(size),
                    n_atoms,
                    float(unit_d.max() * d_nn) if unit_d.size else 0.0,
                    d_nn,
                    "augmented",
                    qmin,
                    p["qmax"],
                    p["qdamp"],
                    p["biso"],
                    p["strain"],
                    p["noise"],
                    g_max,
                ]
            )
    out = pd.DataFrame(meta, columns=META_COLUMNS)
    for col in ("structure_type", "element", "condition"):
        out[col] = out[col].astype(str)
    return pd.concat([out, pd.DataFrame(g_rows, columns=GR_COLUMNS)], axis=1)
