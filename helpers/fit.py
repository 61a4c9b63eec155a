"""Fit one candidate structure to a measured G(r): the step that *verifies* a proposed structure.

A learned model proposes structure types; a fit of the simulated PDF of each
candidate particle to the data decides between them, by how well it
reproduces every peak.  :func:`fit_candidate` refines, for one particle of
the catalogue (:data:`helpers.structures.CATALOGUE`), the parameters a PDF
scientist refines for a nanoparticle model (as in PDFgui/DiffPy-CMI):

=========  ====================================================  ==========================
parameter  what it is                                            how it is found
=========  ====================================================  ==========================
scale      overall factor (data come on arbitrary scales)         closed form (linear)
d_nn       nearest-neighbour distance: the particle's pair        scan, then least squares
           distances scaled together (no rebuilding)
biso       Biso = 8π²U, Å²                                        least squares, 0.05-3
qdamp      instrument resolution, Å⁻¹                             least squares, 0-0.1
delta2     correlated motion, Å² (PDFfit2)                        least squares, 0-5
=========  ====================================================  ==========================

The quality of a fit is the weighted profile residual of PDFgui with unit
weights, Rw = √(Σ (Gobs - Gcalc)² / Σ Gobs²), over the fitted r range
(default 1.5-20 Å), on a grid of step 0.05 Å (or the data's own, if coarser)
onto which the data are put by band-limited interpolation.  What Rw to expect
depends on the regime: a refined *crystal* reaches Rw < 0.1 on good synchrotron
data (bulk Ni 0.03-0.08 over 1.5-20 Å), a perfect *model particle* fitted to a
real nanoparticle 0.1-0.25 (ligands, surface relaxation and size distributions
are not modelled); above that a fit is poor.  Two candidates whose Rw differ by
less than about 0.02 are not told apart by the data.  Every refined parameter
gets an esd (:func:`standard_uncertainties`) and any that ends at a bound is
named in ``at_bounds``.  Deterministic: fixed starting points, no random numbers.

The crystal × spherical-envelope model of the lattice types is in
:mod:`helpers.crystal`; this module fits the particles of the catalogue.

Speed: the candidate's distinct pair distances are computed once
(:func:`helpers.simulation.geometry`); a G(r) evaluation takes 0.2-0.8 ms,
a fit 30-150 of them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import least_squares

from helpers.measured import resample
from helpers.pdf import scaled_pdf
from helpers.simulation import geometry
from helpers.structures import SIZES, STRUCTURE_TYPES
from helpers.validation import check_scalar

R_RANGE = (1.5, 20.0)
"""Default fitted r range (Å): from below the first peak to where most nanoparticle signal has ended."""

FIT_STEP = 0.05
"""Step (Å) of the r grid the fit is computed on (PDF data at Qmax ≤ 30 Å⁻¹ hold nothing finer than π/Qmax ≥ 0.1 Å)."""

BOUNDS = {"biso": (0.05, 3.0), "qdamp": (0.01, 0.07), "delta2": (0.0, 5.0)}
"""Bounds of the refined parameters (Å², Å⁻¹, Å²); d_nn may move ±6 % from its start."""

REFINED_SIZES = 3
""":func:`fit_type` refines with δ2 this many of the best sizes of its quick pass (and the best one's neighbours)."""

_START = {"biso": 0.6, "qdamp": 0.03, "delta2": 2.0}
_D_NN_SCAN = np.linspace(0.97, 1.03, 13)  # relative lattice scalings tried before the refinement
_D_NN_FREEDOM = 0.06


class FitResult(NamedTuple):
    """The best fit of one candidate particle (units: Å, Å², Å⁻¹)."""

    structure_type: str
    size: int
    shape: str
    n_atoms: int
    diameter: float
    d_nn: float
    scale: float
    biso: float
    qdamp: float
    delta2: float
    rw: float
    r: np.ndarray
    g_obs: np.ndarray
    g_calc: np.ndarray
    esd: dict | None = None
    at_bounds: tuple = ()

    @property
    def model(self) -> str:
        return "particle"


class FitData(NamedTuple):
    """Measured G(r) on the fit grid, with the Q range its Fourier transform used.

    ``qdamp``/``qbroad``: the instrument's calibrated values (Å⁻¹); ``qdamp = None`` refines it.
    """

    r: np.ndarray
    g: np.ndarray
    qmin: float
    qmax: float
    qdamp: float | None = None
    qbroad: float = 0.0

    @property
    def n_independent(self) -> float:
        """Independent points of the fitted range, (r_max - r_min) Qmax / π (Shannon; at most the grid's)."""
        span = float(self.r[-1] - self.r[0])
        return min(float(self.r.size), span * self.qmax / math.pi + 1.0)


def prepare_data(
    r, g, *, qmin: float, qmax: float, r_range=R_RANGE, qdamp: float | None = None, qbroad: float = 0.0
) -> FitData:
    """The data of a fit: G(r) within ``r_range`` on a uniform grid of step :data:`FIT_STEP` Å.

    ``qmin``/``qmax`` (Å⁻¹) are those the data were transformed with (the file's header);
    ``qdamp``/``qbroad`` a calibration of the instrument (None: Qdamp is refined).
    Raises ValueError if the data do not cover ``r_range`` or the values make no sense.
    """
    if qdamp is not None:
        qdamp = check_scalar(qdamp, "qdamp", min_val=0.0, max_val=1.0, unit="Å⁻¹")
    qbroad = check_scalar(qbroad, "qbroad", min_val=0.0, max_val=0.5, unit="Å⁻¹")
    qmin = check_scalar(qmin, "qmin", min_val=0.0, unit="Å⁻¹")
    qmax = check_scalar(qmax, "qmax", min_val=0.0, include_boundaries="neither", unit="Å⁻¹")
    if not qmin < qmax:
        raise ValueError(f"qmin must be smaller than qmax, got qmin={qmin} and qmax={qmax} Å⁻¹")
    try:
        r_lo, r_hi = (float(x) for x in r_range)
    except (TypeError, ValueError):
        raise ValueError(f"r_range must be a pair of numbers (r_min, r_max) in Å, got {r_range!r}") from None
    if not 0.0 <= r_lo < r_hi:
        raise ValueError(f"r_range must have 0 <= r_min < r_max (Å), got {r_range!r}")
    r = np.asarray(r, dtype=float)
    step = max(FIT_STEP, float(np.median(np.diff(r)))) if r.size > 1 else FIT_STEP
    grid = r_lo + step * np.arange(math.floor((r_hi - r_lo) / step + 1e-9) + 1)
    g_fit = resample(r, g, grid)
    if not np.any(g_fit):
        raise ValueError("G(r) is zero everywhere in the fitted range: nothing to fit")
    return FitData(grid, g_fit, qmin, qmax, qdamp, qbroad)


def _first_peak(data: FitData) -> float:
    """Position (Å) of the highest point of the data between 1.8 and 3.6 Å (metal nearest neighbours)."""
    window = _window(data)
    return _vertex(data, window[np.argmax(data.g[window])])


def _lowest_strong_peak(data: FitData) -> float:
    """Position (Å) of the first local maximum in 1.8-3.6 Å reaching half the highest one there.

    For simple cubic with d_nn < 2.55 Å the 12 neighbours at √2 d_nn make a taller peak than the
    6 at d_nn: the highest point is then the second shell, the lowest strong peak the first.
    """
    window = _window(data)
    g = data.g
    top = float(g[window].max())
    for k in window[1:-1]:
        if g[k] >= g[k - 1] and g[k] > g[k + 1] and g[k] >= 0.5 * top:
            return _vertex(data, k)
    return _first_peak(data)


def _window(data: FitData) -> np.ndarray:
    window = np.flatnonzero((data.r > 1.8) & (data.r < 3.6))
    if window.size < 3:
        raise ValueError(
            "the fitted r range must include 1.8-3.6 Å, where the nearest-neighbour peak of a metal is"
        )
    return window


def _vertex(data: FitData, k: int) -> float:
    k = min(max(int(k), 1), data.r.size - 2)
    y0, y1, y2 = data.g[k - 1 : k + 2]
    denom = y0 - 2 * y1 + y2
    shift = 0.5 * (y0 - y2) / denom if denom < 0 else 0.0
    return float(data.r[k] + shift * (data.r[1] - data.r[0]))


def _unit_first_peak(structure_type: str, size: int) -> float:
    """Mean of the unit particle's distances within 15 % of its shortest one: where its first peak sits."""
    geo = geometry(structure_type, size)
    near = geo.distances < 1.15 * geo.distances[0]
    return float(np.average(geo.distances[near], weights=geo.weights[near]))


def _model(data: FitData, geo):
    """G(r) of the catalogue particle ``geo`` on the fit's grid, as a function of d_nn, biso, qdamp, δ2."""
    g = scaled_pdf(geo.distances, geo.n_atoms, data.r, weights=geo.weights, qmin=data.qmin, qmax=data.qmax)
    return lambda d_nn, biso, qdamp, delta2: g(d_nn, qdamp=qdamp, biso=biso, delta2=delta2)


def _shape_and_scale(data: FitData, model, d_nn, biso, qdamp, delta2) -> tuple[np.ndarray, float]:
    """The model's G(r) and the scale that fits it to the data best (closed form, never negative)."""
    shape = model(d_nn, biso, qdamp, delta2)
    norm = float(shape @ shape)
    scale = max(0.0, float(shape @ data.g) / norm) if norm > 0 else 0.0
    return shape, scale


def rw(g_obs, g_calc) -> float:
    """Rw = √(Σ (Gobs - Gcalc)² / Σ Gobs²), the residual of PDFgui with unit weights."""
    g_obs, g_calc = np.asarray(g_obs, dtype=float), np.asarray(g_calc, dtype=float)
    return float(np.sqrt(np.sum((g_obs - g_calc) ** 2) / np.sum(g_obs**2)))


def fit_candidate(
    data: FitData,
    structure_type: str,
    size: int,
    *,
    refine_delta2: bool = True,
    d_nn_start: float | None = None,
    esd: bool = True,
) -> FitResult:
    """Fit the catalogue particle ``structure_type``/``size`` to ``data`` (from :func:`prepare_data`).

    Scale (closed form), d_nn, Biso, Qdamp and (if ``refine_delta2``) δ2 are refined
    within :data:`BOUNDS`; without ``refine_delta2`` δ2 stays 0 (a quicker first pass).
    d_nn starts from the data's first-peak position (or ``d_nn_start``), after a scan of
    13 lattice scalings within ±3 % so that a wrong type does not stop in a poor local
    minimum.  ``esd=False`` skips the esd's (NaN; 2-4 G(r) evaluations fewer: :func:`fit_type`'s quick
    pass keeps only d_nn and Rw of its fits).  Deterministic.
    """
    if structure_type not in STRUCTURE_TYPES:
        raise ValueError(
            f"unknown structure_type {structure_type!r}: expected one of {', '.join(STRUCTURE_TYPES)}"
        )
    if size not in SIZES[structure_type]:
        raise ValueError(
            f"size must be one of 1..{len(SIZES[structure_type])} for {structure_type}, got {size!r}"
        )
    geo = geometry(structure_type, size)
    if d_nn_start is None:
        highest = _first_peak(data) / _unit_first_peak(structure_type, size)
        lowest = _lowest_strong_peak(data) / float(geo.distances[0])
        starts = [highest] if abs(lowest / highest - 1.0) < 0.03 else [highest, lowest]
    else:
        starts = [float(d_nn_start)]
    delta2_0 = _START["delta2"] if refine_delta2 else 0.0
    qdamp_fixed = data.qdamp

    model = _model(data, geo)

    def residual_at(d_nn, biso, qdamp, delta2):
        shape, scale = _shape_and_scale(data, model, d_nn, biso, qdamp, delta2)
        return scale * shape - data.g

    qdamp_0 = _START["qdamp"] if qdamp_fixed is None else qdamp_fixed
    scans = [
        (float(np.sum(residual_at(d * s, _START["biso"], qdamp_0, delta2_0) ** 2)), d, d * s)
        for d in starts
        for s in _D_NN_SCAN
    ]
    _, d_nn_start, d0 = min(scans)
    d_lo, d_hi = d_nn_start * (1 - _D_NN_FREEDOM), d_nn_start * (1 + _D_NN_FREEDOM)
    delta2_max = min(BOUNDS["delta2"][1], 0.8 * d_lo * d_lo)  # δ2 must stay below the shortest distance²
    names = (
        ["d_nn", "biso"] + (["qdamp"] if qdamp_fixed is None else []) + (["delta2"] if refine_delta2 else [])
    )
    start = {
        "d_nn": d0,
        "biso": _START["biso"],
        "qdamp": _START["qdamp"],
        "delta2": min(delta2_0, 0.5 * delta2_max),
    }
    low = {
        "d_nn": d_lo,
        "biso": BOUNDS["biso"][0],
        "qdamp": BOUNDS["qdamp"][0],
        "delta2": BOUNDS["delta2"][0],
    }
    high = {"d_nn": d_hi, "biso": BOUNDS["biso"][1], "qdamp": BOUNDS["qdamp"][1], "delta2": delta2_max}
    steps = {"d_nn": 0.01 * d0, "biso": 0.1, "qdamp": 0.01, "delta2": 0.5}

    def unpack(x):
        v = dict(zip(names, (float(t) for t in x)))
        return v["d_nn"], v["biso"], v.get("qdamp", qdamp_fixed), v.get("delta2", 0.0)

    def fun(x):
        return residual_at(*unpack(x))

    solution = least_squares(
        fun, [start[n] for n in names], bounds=([low[n] for n in names], [high[n] for n in names]),
        x_scale=[steps[n] for n in names], diff_step=1e-4, xtol=1e-6, ftol=1e-6, max_nfev=200,
    )  # fmt: skip
    d_nn, biso, qdamp, delta2 = unpack(solution.x)
    shape, scale = _shape_and_scale(data, model, d_nn, biso, qdamp, delta2)
    g_calc = scale * shape
    lows, highs = [low[n] for n in names], [high[n] for n in names]
    if esd:
        jac = jacobian(fun, solution.x, [steps[n] for n in names], lows, highs)
        esds = standard_uncertainties(jac, data.g - g_calc, data, names)
    else:
        esds = dict.fromkeys(names, math.nan)
    flagged = at_bounds(names, solution.x, lows, highs)
    if refine_delta2 and "d_nn" in flagged:
        flagged = tuple(f"{n} (±6 % of its start)" if n == "d_nn" else n for n in flagged)
    return FitResult(
        structure_type, int(size), geo.shape, geo.n_atoms, geo.diameter * d_nn, d_nn, scale, biso, qdamp,
        delta2, rw(data.g, g_calc), data.r, data.g, g_calc, esds, flagged,
    )  # fmt: skip


def standard_uncertainties(jac, residual, data: FitData, names) -> dict[str, float]:
    """Esd's of the refined parameters from the Jacobian, corrected for a fit grid finer than π/Qmax.

    cov = [Σ res² / (N_ind - P)] (JᵀJ)⁻¹ with N_ind = (r_max - r_min) Qmax / π the number of
    independent points (Shannon) and P the refined parameters plus the scale.  The usual
    Σ res²/(N - P) (JᵀJ)⁻¹ on N points spaced finer than π/Qmax, whose errors are correlated,
    underestimates the esd's by about √(N/N_ind) (Toby & Billinge, Acta Cryst. A 60, 315 (2004);
    Farrow et al., J. Phys.: Condens. Matter 19, 335219 (2007) for PDFgui/PDFfit2, which scale
    the esd's by the reduced χ² in the same way when the data carry no uncertainties).  With unit
    weights the residual is taken as the noise: model error makes the esd's larger, as it should.
    The esd of the scale (profiled out in closed form) is not reported.
    """
    jac = np.asarray(jac, dtype=float)
    p = jac.shape[1] + 1
    dof = max(data.n_independent - p, 1.0)
    s2 = float(residual @ residual) / dof
    try:
        cov = s2 * np.linalg.inv(jac.T @ jac)
    except np.linalg.LinAlgError:  # a parameter the data do not determine at all
        return {n: float("inf") for n in names}
    return {n: float(np.sqrt(max(cov[i, i], 0.0))) for i, n in enumerate(names)}


def jacobian(fun, x, steps, low, high) -> np.ndarray:
    """The Jacobian of ``fun`` at ``x`` by central differences (one-sided at a bound), step 1e-3 ``steps``.

    Used for the esd's instead of the optimiser's last Jacobian, which may be stale or, for a parameter
    on its bound, degenerate.
    """
    x = np.asarray(x, dtype=float)
    columns = []
    for k, step in enumerate(steps):
        h = 1e-3 * float(step)
        up, down = x.copy(), x.copy()
        up[k] = min(x[k] + h, high[k])
        down[k] = max(x[k] - h, low[k])
        if up[k] - down[k] <= 0:
            up[k] = x[k] + h
        columns.append((fun(up) - fun(down)) / (up[k] - down[k]))
    return np.stack(columns, axis=1)


def at_bounds(names, x, low, high, tol: float = 1e-3) -> tuple[str, ...]:
    """The names of the parameters within ``tol`` of the width of their range from a bound."""
    out = []
    for n, v, lo, hi in zip(names, x, low, high):
        width = hi - lo
        if np.isfinite(width) and (v - lo < tol * width or hi - v < tol * width):
            out.append(n)
    return tuple(out)


def fit_type(data: FitData, structure_type: str, *, sizes=None, mapper=map) -> FitResult:
    """The best fit of ``structure_type`` over its catalogue sizes (default: all eight).

    A quick pass fits every size without correlated motion (δ2 = 0); the best size, its neighbours and
    the three best sizes of the quick pass (:data:`REFINED_SIZES`) are then refined with δ2 free,
    starting from the quick pass's d_nn.  δ2 helps larger particles more, so the neighbours alone can miss
    the best size: on JQ_S3 the decahedra of the quick pass rank 4, 5, 6 and, with δ2, 6 fits best (Rw
    0.186 against 0.192 for size 4).  On the measured files this finds the size that refining all eight
    would (24 of 24 type-file pairs) with 3-4 refinements instead of 8.  ``mapper`` may be a thread pool's
    ``map`` to fit several sizes at once.
    """
    sizes = SIZES.get(structure_type, ()) if sizes is None else tuple(sizes)
    if not sizes:
        raise ValueError(
            f"unknown structure_type {structure_type!r}: expected one of {', '.join(STRUCTURE_TYPES)}"
        )
    quick = dict(
        zip(
            sizes,
            mapper(lambda s: fit_candidate(data, structure_type, s, refine_delta2=False, esd=False), sizes),
        )
    )
    ranked = sorted(sizes, key=lambda s: quick[s].rw)
    best = ranked[0]
    refine = sorted({s for s in (best - 1, best, best + 1) if s in quick} | set(ranked[:REFINED_SIZES]))
    refined = list(mapper(lambda s: fit_candidate(data, structure_type, s, d_nn_start=quick[s].d_nn), refine))
    return min(refined, key=lambda fit: fit.rw)
