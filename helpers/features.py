"""Features a chemist computes from a PDF: the first-peak position d₁ and the reduced distance r/d₁.

The first peak of a metal particle's G(r) sits at its nearest-neighbour distance d₁.  Particles of one
shape made of different metals have the same PDF stretched along r in proportion to d₁ (a Ni particle is
10 % smaller than the same Pt particle), so on the axis s = r/d₁ their PDFs nearly coincide:
:func:`reduced_distance` resamples a PDF there.  Both functions use only the measured G(r) (no label,
no metadata), so they work on any new PDF; sessions 3 and 4 and ``tests/test_pdf.py`` use them.

The grid step of the dataset (0.1 Å) is coarse for d₁: 0.05 Å is 2 % of d₁ and would misplace a peak
at 25 Å by half an ångström on the s axis.  :func:`first_peak_position` therefore refines the highest
grid point by the vertex of the parabola through it and its two neighbours.
"""

from __future__ import annotations

import numpy as np

from helpers.data import R_GRID

__all__ = ["FIRST_PEAK_WINDOW", "S_GRID", "first_peak_position", "reduced_distance"]

FIRST_PEAK_WINDOW: tuple[float, float] = (2.0, 3.4)
"""Where the first peak is looked for (Å, open interval): the dataset's metals have nearest-neighbour
distances from 2.49 Å (Fe) to 2.95 Å (Ti), and strained icosahedra put it up to 4 % higher."""

S_GRID: np.ndarray = np.round(np.arange(16, 195) * 0.05, 2)
"""The reduced-distance axis s = r/d₁: 0.80, 0.85, ..., 9.70 (179 values; 9.70 × 3.06 Å, the largest d₁
of the dataset, stays inside its 30 Å)."""
S_GRID.setflags(write=False)


def _grid(r) -> tuple[np.ndarray, float]:
    r = np.asarray(r, dtype=np.float64)
    if r.ndim != 1 or len(r) < 3:
        raise ValueError(f"r must be a 1-D grid of at least 3 points (Å), got shape {r.shape}")
    step = (r[-1] - r[0]) / (len(r) - 1)
    if not step > 0 or not np.allclose(np.diff(r), step, rtol=1e-6, atol=1e-9):
        raise ValueError("r must be increasing and evenly spaced (the parabola refinement assumes it)")
    return r, step


def _stack(G, r: np.ndarray) -> tuple[np.ndarray, bool]:
    G = np.asarray(G, dtype=np.float64)
    if G.ndim not in (1, 2) or G.shape[-1] != len(r):
        raise ValueError(
            f"G must be one PDF (shape ({len(r)},)) or one PDF per row (shape (n, {len(r)})) on the grid r, "
            f"got shape {G.shape}"
        )
    if not np.all(np.isfinite(G)):
        raise ValueError("G contains NaN or infinite values")
    return np.atleast_2d(G), G.ndim == 1


def first_peak_position(G, r=R_GRID, window: tuple[float, float] = FIRST_PEAK_WINDOW):
    """Position d₁ (Å) of the highest point of each PDF inside ``window`` (lo < r < hi).

    ``G`` is one PDF on the grid ``r`` (evenly spaced, Å; default the dataset's 1.0–30.0 Å) or a stack of
    them, one per row.  The highest grid point inside the window is refined by the vertex of the parabola
    through it and its two neighbours (at most half a grid step away).  Returns a float for one PDF, an
    array of shape (n,) for n rows.
    """
    r, step = _grid(r)
    rows, single = _stack(G, r)
    lo, hi = (float(x) for x in window)
    inside = np.flatnonzero((r > lo) & (r < hi))
    if not lo < hi or len(inside) == 0 or inside[0] == 0 or inside[-1] == len(r) - 1:
        raise ValueError(
            f"window {window} must hold grid points of r ({r[0]:g}–{r[-1]:g} Å) with a neighbour on each side"
        )
    top = inside[np.argmax(rows[:, inside], axis=1)]
    n = np.arange(len(rows))
    left, mid, right = rows[n, top - 1], rows[n, top], rows[n, top + 1]
    curvature = left - 2.0 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(
            curvature < 0, 0.5 * (left - right) / curvature, 0.0
        )  # flat or convex: no refinement
    d1 = r[top] + step * np.clip(shift, -0.5, 0.5)
    return float(d1[0]) if single else d1


def reduced_distance(G, s=S_GRID, r=R_GRID, window: tuple[float, float] = FIRST_PEAK_WINDOW) -> np.ndarray:
    """Each PDF resampled on the reduced-distance axis s = r/d₁, d₁ its own first-peak position.

    ``G``: one PDF on the grid ``r`` (Å) or one per row; ``s``: the dimensionless axis (default
    :data:`S_GRID`, 0.80 to 9.70); ``window``: where :func:`first_peak_position` looks for d₁.  Linear
    interpolation between the grid points.  Returns shape (len(s),) for one PDF, (n, len(s)) for n rows.
    Raises ValueError when s·d₁ leaves the grid (np.interp would repeat the end value silently).
    """
    r, _ = _grid(r)
    rows, single = _stack(G, r)
    s = np.asarray(s, dtype=np.float64)
    if s.ndim != 1 or len(s) == 0 or not np.all(np.isfinite(s)):
        raise ValueError(f"s must be a 1-D array of finite reduced distances, got shape {s.shape}")
    d1 = np.atleast_1d(first_peak_position(rows, r, window))
    reach = (s.min() * d1.min(), s.max() * d1.max())
    if reach[0] < r[0] - 1e-9 or reach[1] > r[-1] + 1e-9:
        raise ValueError(
            f"s·d₁ spans {reach[0]:.2f}–{reach[1]:.2f} Å, outside the grid r ({r[0]:g}–{r[-1]:g} Å): "
            "use a shorter s axis"
        )
    out = np.array([np.interp(s * d, r, g) for g, d in zip(rows, d1)])
    return out[0] if single else out
