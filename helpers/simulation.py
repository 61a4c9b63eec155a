"""How a PDF of the course's dataset is made: one recipe and one parameter table.

Everything that simulates "a PDF like the dataset's" - the dataset itself
(:mod:`helpers.generate`), data augmentation (:mod:`helpers.augment`), the PDF
explorer widget - calls :func:`simulate` with parameters from
:data:`PARAMETERS`, the one table of what each parameter means, its unit, its
``clean`` value and the range experiment-like PDFs are drawn from, and where
that range comes from.

The recipe for one PDF (structure type, element, size, parameters):

1. the particle's geometry for nearest-neighbour distance 1 (built once and
   kept as its distinct pair distances, :func:`geometry`), scaled to
   d_nn = bulk d_nn × (1 + strain);
2. G(r) on the dataset grid :data:`helpers.data.R_GRID` by
   :func:`helpers.pdf.pdf_from_distances` with qmin, qmax, qdamp, biso and
   delta2 (small-angle scattering removed: the measured baseline);
3. a low-r artefact: one extra peak below the first neighbour distance, as
   ligands, solvent or an imperfect background subtraction leave in real data
   (amplitude ``artefact`` × max|G|, band-limited like the data);
4. noise that is band-limited like real noise: white noise in F(Q), growing
   with Q as counting noise does, transformed over the same Qmin..Qmax, so it
   is smooth on the scale of π/Qmax (rms ``noise`` × max|G|);
5. an overall ``scale`` (measured PDFs come on arbitrary scales);
6. division by max|G| (the normalisation every model of the course uses;
   ``g_max`` keeps the factor).

All randomness comes from the ``numpy.random.Generator`` passed in, in a fixed
order: the parameters in table order (:func:`draw_parameters`), then the
artefact's position and width, then one normal number per Q point for the noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.spatial.distance import pdist, squareform

from helpers.data import R_GRID
from helpers.pdf import compute_pdf, pair_distances, pdf_from_distances
from helpers.structures import nearest_neighbour_distance, shape_of, unit_positions


class Parameter(NamedTuple):
    """One parameter of the recipe: its clean value, its experiment-like range and where that comes from."""

    name: str
    unit: str
    clean: float
    low: float
    high: float
    decimals: int
    meaning: str
    source: str
    limits: tuple[float, float]  # what the parameter may physically be (for ranges given by a user)


PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "qmin", "Å⁻¹", 1.0, 0.6, 1.4, 2,
        "lowest Q of the Fourier transform",
        "headers of the shipped measured files: 0.8-1.33 (1.0 for the Pt series; 2.4 for the lab source)",
        (0.0, 5.0),
    ),
    Parameter(
        "qmax", "Å⁻¹", 25.0, 12.0, 30.0, 2,
        "highest Q of the Fourier transform: sets the peak width from termination and the ripples",
        "synchrotron data reach 20-30 (the shipped files: 22, 26, 28); 12 is a short-range measurement",
        (1.0, 100.0),
    ),
    Parameter(
        "qdamp", "Å⁻¹", 0.04, 0.01, 0.07, 4,
        "instrument resolution: damps G(r) by exp(-(qdamp r)²/2)",
        "calibrations of area-detector synchrotron set-ups give 0.02-0.06 (fits of measured files up to 0.063)",
        (0.0, 1.0),
    ),
    Parameter(
        "biso", "Å²", 0.5, 0.1, 1.0, 3,
        "isotropic atomic displacement (Debye-Waller) parameter Biso = 8π²U",
        "fits of the shipped Pt files (room temperature) give 0.8-1.1 Å² together with delta2; bulk metals 0.3-0.5",
        (0.0, 10.0),
    ),
    Parameter(
        "delta2", "Å²", 2.0, 0.0, 4.0, 3,
        "correlated motion (PDFfit2's delta2): a pair's peak width is σ√(1 - δ2/r²)",
        "fits of the shipped Pt files give 2.5-3.7 Å² (with Biso free); 0 means uncorrelated motion",
        (0.0, 5.0),
    ),
    Parameter(
        "strain", "", 0.0, -0.02, 0.02, 4,
        "isotropic lattice strain: d_nn = bulk d_nn × (1 + strain)",
        "nanoparticle lattice constants differ from bulk by up to a few per cent (surface stress)",
        (-0.2, 0.2),
    ),
    Parameter(
        "noise", "fraction of max|G|", 0.0, 0.001, 0.01, 4,
        "rms of band-limited noise (white in F(Q), growing with Q)",
        "random noise in the shipped synchrotron files is 0.2-0.4 % of max|G| (rms where the signal has ended)",
        (0.0, 1.0),
    ),
    Parameter(
        "artefact", "fraction of max|G|", 0.0, 0.0, 0.08, 4,
        "height of one spurious peak between 1.2 Å and 0.7 d_nn (ligands, solvent, background)",
        "below the first peak the shipped files differ from their best fit by 4-14 % of max|G| (most 4-10 %)",
        (0.0, 1.0),
    ),
    Parameter(
        "scale", "", 1.0, 0.1, 10.0, 4,
        "overall scale factor (drawn log-uniformly; only g_max shows it after normalisation)",
        "measured PDFs come on arbitrary scales (the shipped files: max|G| 0.9-7.5)",
        (1e-6, 1e6),
    ),
)  # fmt: skip
"""The one table of the recipe's parameters, in the order they are drawn."""

TABLE: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
""":data:`PARAMETERS` by name."""

PHYSICS = ("qmin", "qmax", "qdamp", "biso", "delta2")
"""The parameters that go to :func:`helpers.pdf.pdf_from_distances`."""

ARTEFACT_RANGE = (1.2, 0.7)
"""The low-r artefact sits between 1.2 Å and 0.7 d_nn (below the first neighbour peak)."""
ARTEFACT_WIDTH = (0.05, 0.15)
"""Width (Å, Gaussian sigma in r, before the Qmax cut) of the low-r artefact."""
_NOISE_BOX = 64.0  # Å: noise and artefact are sums over Q_k = k π / 64 Å (well below the grid's 0.1 Å ...)
_NOISE_QMAX = 30.0  # ... up to the largest qmax of the table, so every row draws the same numbers


def clean_parameters() -> dict[str, float]:
    """Every parameter at its clean value (a new dict)."""
    return {p.name: p.clean for p in PARAMETERS}


def physics(params: Mapping) -> dict[str, float]:
    """The part of ``params`` that :func:`helpers.pdf.compute_pdf` takes (qmin, qmax, qdamp, biso, delta2)."""
    return {k: params[k] for k in PHYSICS}


def check_ranges(ranges: Mapping | None) -> dict[str, tuple[float, float]]:
    """Validate ``ranges`` (``{name: (low, high)}`` for some parameters) and fill in the rest.

    A parameter that is left out keeps its clean value (e.g. ``{"noise": (0.05, 0.05)}``
    gives clean PDFs with 5 % noise).  ``None`` means the table's experiment-like
    ranges.  Returns a complete dict; raises TypeError/ValueError naming the bad entry.
    """
    if ranges is None:
        return {p.name: (p.low, p.high) for p in PARAMETERS}
    if not isinstance(ranges, Mapping):
        raise TypeError(f"ranges must be a dict like {{'qmax': (12.0, 25.0)}}, got {type(ranges).__name__}")
    unknown = sorted(set(ranges) - set(TABLE))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} in ranges: expected some of {', '.join(TABLE)}")
    out = {}
    for p in PARAMETERS:
        if p.name not in ranges:
            out[p.name] = (p.clean, p.clean)
            continue
        pair = ranges[p.name]
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ValueError(
                f"ranges[{p.name!r}] must be a pair of numbers (low, high), got {pair!r}"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high)) or low > high:
            raise ValueError(f"ranges[{p.name!r}] must be finite with low <= high, got {pair!r}")
        if low < p.limits[0] or high > p.limits[1]:
            unit = f" {p.unit}" if p.unit else ""
            raise ValueError(
                f"ranges[{p.name!r}] = {pair!r} is out of bounds: {p.name} must lie in "
                f"{p.limits[0]:g}..{p.limits[1]:g}{unit}"
            )
        out[p.name] = (low, high)
    if not out["qmin"][1] < out["qmax"][0]:
        raise ValueError(f"ranges: every qmin must be below every qmax, got {out['qmin']} and {out['qmax']}")
    return out


def draw_parameters(rng: np.random.Generator, ranges: Mapping | None = None) -> dict[str, float]:
    """One set of parameters, drawn in table order (scale log-uniformly, the rest uniformly), rounded.

    ``ranges`` as in :func:`check_ranges` (``None``: the experiment-like ranges of the table).
    """
    bounds = check_ranges(ranges)
    out = {}
    for p in PARAMETERS:
        low, high = bounds[p.name]
        if p.name == "scale":
            value = math.exp(rng.uniform(math.log(low), math.log(high)))
        else:
            value = rng.uniform(low, high)
        out[p.name] = round(float(value), p.decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return out


class Geometry(NamedTuple):
    """A particle for nearest-neighbour distance 1: atoms, diameter and distinct pair distances."""

    n_atoms: int
    diameter: float
    distances: np.ndarray
    weights: np.ndarray
    shape: str


@lru_cache(maxsize=128)
def geometry(structure_type: str, size: int) -> Geometry:
    """The :class:`Geometry` of a catalogue particle (built once, kept: a dataset uses it 90 times).

    The distinct distances of the whole catalogue (1.6 s to compute, 0.8 MB) are also kept in the user's
    cache folder (:func:`helpers.geometries.stored`), so a fresh process does not compute them again.
    """
    from helpers.geometries import stored

    found = stored().get((structure_type, size))
    if found is None:
        distances, weights = _distinct_distances(structure_type, size)
    else:
        distances, weights = found
    distances.setflags(write=False)
    weights.setflags(write=False)
    n_atoms = round((1.0 + math.sqrt(1.0 + 8.0 * float(weights.sum()))) / 2.0)  # N(N-1)/2 pairs
    return Geometry(n_atoms, float(distances[-1]), distances, weights, shape_of(structure_type, size).name)


def _distinct_distances(structure_type: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`helpers.pdf.pair_distances` of a catalogue particle (d_nn = 1)."""
    return pair_distances(unit_positions(structure_type, size))


class Simulated(NamedTuple):
    """One simulated PDF: normalised G on the grid, the factor it was divided by, and the particle."""

    g: np.ndarray
    g_max: float
    d_nn: float
    diameter: float
    n_atoms: int
    shape: str


def simulate(
    structure_type: str,
    element: str,
    size: int,
    params: Mapping,
    rng: np.random.Generator | None = None,
    *,
    r: np.ndarray = R_GRID,
) -> Simulated:
    """The PDF of one catalogue particle by the recipe of the module docstring.

    ``params`` has every name of :data:`PARAMETERS` (e.g. :func:`clean_parameters` or
    :func:`draw_parameters`); ``rng`` is needed when ``artefact`` or ``noise`` is not 0.
    d_nn is rounded to 4 decimals, as the dataset stores it, so the noise-free part of a
    row can be recomputed from its metadata.
    """
    _check_params(params, rng)
    geo = geometry(structure_type, size)
    d_nn = round(nearest_neighbour_distance(element) * (1.0 + params["strain"]), 4)
    r = np.asarray(r, dtype=float)
    g = pdf_from_distances(geo.distances * d_nn, geo.n_atoms, r, weights=geo.weights, **physics(params))
    g, g_max = _measure_like(g, r, d_nn, params, rng)
    return Simulated(g, g_max, d_nn, geo.diameter * d_nn, geo.n_atoms, geo.shape)


def simulate_structure(atoms, params: Mapping, rng: np.random.Generator | None = None, *, r=R_GRID):
    """Like :func:`simulate`, for any monoatomic ``ase.Atoms`` (e.g. a disordered particle).

    The particle is strained by ``1 + strain`` about its centre; the low-r artefact is
    placed relative to its typical (median) nearest-neighbour distance.  A disordered structure
    may have pairs closer than √delta2, whose width σ√(1 - δ2/r²) would be imaginary: delta2 is
    then lowered to 0.8 × (shortest distance)² (PDFfit2 would drop those pairs instead).
    Returns ``(g, g_max, used)``, ``used`` being ``params`` with the delta2 actually used.
    """
    _check_params(params, rng)
    if not hasattr(atoms, "get_positions"):
        raise TypeError(f"atoms must be an ase.Atoms object, got {type(atoms).__name__}")
    strained = atoms.copy()
    centre = strained.get_positions().mean(axis=0)
    strained.set_positions(centre + (strained.get_positions() - centre) * (1.0 + params["strain"]))
    r = np.asarray(r, dtype=float)
    distances = squareform(pdist(strained.get_positions()))
    np.fill_diagonal(distances, np.inf)
    nearest = distances.min(axis=1)
    used = dict(params)
    if used["delta2"] >= 0.8 * nearest.min() ** 2:
        used["delta2"] = round(0.8 * float(nearest.min()) ** 2, TABLE["delta2"].decimals)
    g = compute_pdf(strained, r, **physics(used))
    g, g_max = _measure_like(g, r, float(np.median(nearest)), used, rng)  # artefact below the typical d_nn
    return g, g_max, used


def _check_params(params: Mapping, rng) -> None:
    missing = [p.name for p in PARAMETERS if p.name not in params]
    if missing:
        raise ValueError(f"params lacks {missing}; start from clean_parameters() or draw_parameters()")
    if rng is None and (params["artefact"] > 0 or params["noise"] > 0):
        raise ValueError("artefact and noise are random: pass rng, a numpy.random.Generator")


def _measure_like(g, r, d_nn, params, rng) -> tuple[np.ndarray, float]:
    """Steps 3-6 of the recipe: artefact, noise and scale added to G, then normalised; (G, g_max)."""
    height = float(np.max(np.abs(g)))
    if params["artefact"] > 0:
        g = g + params["artefact"] * height * _artefact(r, d_nn, params, rng)
    if params["noise"] > 0:
        g = g + params["noise"] * height * _band_limited_noise(r, params, rng)
    g = g * params["scale"]
    g_max = float(np.max(np.abs(g)))
    return g / g_max, g_max


@lru_cache(maxsize=8)
def _sine_basis(r_bytes: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Q_k (k = 1 .. up to 30 Å⁻¹, step π/64 Å) and the matrix sin(Q_k r) for the grid r."""
    r = np.frombuffer(r_bytes, dtype=float)
    dq = math.pi / _NOISE_BOX
    q = np.arange(1, int(_NOISE_QMAX / dq) + 1) * dq
    basis = np.sin(np.outer(r, q))
    basis.setflags(write=False)
    return q, basis


def _transform(r: np.ndarray, coefficients_of_q, params: Mapping) -> np.ndarray:
    """Σ_k c(Q_k) sin(Q_k r) over qmin ≤ Q_k ≤ qmax: a signal with the data's band limit."""
    q, basis = _sine_basis(np.ascontiguousarray(r, dtype=float).tobytes())
    inside = (q >= params["qmin"]) & (q <= params["qmax"])
    return basis @ np.where(inside, coefficients_of_q(q), 0.0)


def _artefact(r: np.ndarray, d_nn: float, params: Mapping, rng: np.random.Generator) -> np.ndarray:
    """One peak at r0 in [1.2 Å, 0.7 d_nn] of width s (Å), transformed like the data; max |.| = 1."""
    high = ARTEFACT_RANGE[1] * d_nn
    r0 = rng.uniform(min(ARTEFACT_RANGE[0], 0.8 * high), high)  # (the lower end moves down for tiny d_nn)
    s = rng.uniform(*ARTEFACT_WIDTH)
    peak = _transform(r, lambda q: np.sin(q * r0) * np.exp(-0.5 * (s * q) ** 2), params)
    return peak / np.max(np.abs(peak))


def _band_limited_noise(r: np.ndarray, params: Mapping, rng: np.random.Generator) -> np.ndarray:
    """Noise with rms 1 over r: white in F(Q) with standard deviation ∝ Q, within qmin..qmax."""
    q, _ = _sine_basis(np.ascontiguousarray(r, dtype=float).tobytes())
    white = rng.standard_normal(q.size)  # always the same count: the stream does not depend on qmax
    noise = _transform(r, lambda q: white * q, params)
    return noise / np.sqrt(np.mean(noise * noise))
