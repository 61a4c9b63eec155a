"""X-ray pair distribution function (PDF) of a metal nanoparticle.

What is computed
----------------
The reduced PDF G(r) (unit Å⁻²) of a finite cluster of *one* element, as an
X-ray total-scattering experiment followed by a Fourier transform would give
it, in the conventions of DiffPy (PDFfit2/PDFgui and DiffPy-CMI's
``DebyePDFCalculator``):

1. **Debye scattering equation.**  A particle of N atoms scatters X-rays with
   intensity I(Q) = N f(Q)² + f(Q)² Σ_{i≠j} sin(Q d_ij) / (Q d_ij), where d_ij
   is the distance between atoms i and j and f(Q) is the atomic form factor.
   Every *ordered* pair i≠j counts, so each unordered pair counts twice.
2. **Structure functions.**  S(Q) = I(Q) / (N f(Q)²) and the reduced structure
   function F(Q) = Q [S(Q) - 1] = (2/N) Σ_{i<j} sin(Q d_ij) / d_ij.  For a
   particle made of a single element f(Q)² cancels, so no form-factor table is
   needed; mixed-element particles are not supported (they would need
   f_i f_j / <f>² weights).
3. **Thermal motion (Biso).**  Atoms vibrate, so each distance is spread by a
   Gaussian with mean-square width σ² = 2 U = Biso / (4π²) (U is the mean-square
   displacement of one atom along one direction, Biso = 8π² U).  In Q space
   this multiplies a pair's term by the Debye-Waller factor exp(-σ² Q² / 2).
4. **Correlated motion (delta2).**  Neighbouring atoms move together, so a
   close pair's distance varies less than two independent atoms' would: its
   peak is sharper.  PDFfit2 and PDFgui model this with ``delta2`` (Å²): the
   width of the peak of a pair at distance r_ij is

       σ'_ij = σ_ij √(1 - δ2 / r_ij²)

   (Jeong, Proffen, Mohiuddin-Jacobs & Billinge, J. Phys. Chem. A 103, 921
   (1999); Farrow et al., J. Phys.: Condens. Matter 19, 335219 (2007), the
   ``delta2`` of PDFfit2).  PDFfit2 drops a pair whose square root would be
   imaginary; here ``delta2`` must be smaller than the squared shortest
   distance (metals: δ2 ≈ 0-5 Å², d_nn² ≈ 6-9 Å²).  ``delta2 = 0`` is
   uncorrelated motion, exactly the result without the parameter.
5. **Fourier transform with termination.**  A diffractometer measures only
   Qmin ≤ Q ≤ Qmax, so G(r) = (2/π) ∫_{Qmin}^{Qmax} F(Q) sin(Q r) dQ.  The sharp
   cut at Qmax makes "termination ripples" of wavelength ≈ 2π/Qmax around every
   peak; the cut at Qmin adds a weak ripple of wavelength 2π/Qmin.
6. **Instrument resolution (Qdamp).**  Finite Q resolution damps the PDF at
   high r: G(r) is multiplied by exp(-(Qdamp r)² / 2).

The baseline: small-angle scattering
------------------------------------
A measured PDF of a particle of number density ρ₀ falls as -4πρ₀ r γ₀(r) below
its peaks (γ₀ is the particle's shape function: 1 at r = 0, 0 beyond its
diameter), because data reduction (PDFgetX3, PDFgetX2) never keeps the
small-angle scattering (SAS) that the particle's outline makes near Q = 0.  The
Debye equation contains that SAS: transformed from Q = 0 it gives a G(r) with
*no* baseline, and with the Debye convention (DebyeCalculator, DiffPy's
``DebyePDFCalculator``) the baseline only appears because, and as far as, the
Qmin cut happens to remove the SAS - completely for Qmin above about 9/D
(D the diameter), partly for smaller particles or smaller Qmin.  Copying a
measured file's Qmin into such a calculation can then silently remove the
baseline and wreck a comparison with the data.

So by default (``include_sas=False``) the SAS is removed explicitly, as
Farrow & Billinge (Acta Cryst. A 65, 232 (2009)) describe: the particle's
continuous density is estimated by smearing every atom with a Gaussian of
width w = 1.1 Å - wide enough to wash out the Bragg peaks (exp(-w² Q²) is
below 0.5 % at the first peak of every metal and structure here, the worst
being simple cubic Ti), narrow enough to keep the particle's shape (for a
30 Å sphere the baseline is within 1 % of the first peak of the exact
-4πρ₀rγ₀(r) of a sphere) - and its scattering is subtracted from the Debye F(Q):

    F(Q) = (2/N) Σ_{i<j} [DW_ij(Q) - exp(-w² Q²)] sin(Q d_ij) / d_ij - Q exp(-w² Q²)

In r space this subtracts from the Debye G(r) its own smoothed version, which
is 4πρ₀ r γ₀(r) for the particle, so G(r) has the measured baseline whatever
Qmin is (Qmin = 0 included) and Qmin only adds its genuine ripple.  For a
large particle and Qmin ≥ 0.5 Å⁻¹ the two conventions agree to within a few
per mille of the first peak; ``include_sas=True`` gives the pure Debye result,
for comparison with DebyeCalculator (benchmarks/pdf_vs_debyecalculator.py).
The continuum estimate smears the particle's surface over about w, and it is
an approximation for clusters of a few tens of atoms, whose "outline" and
"structure" overlap in Q.

Without termination, damping and SAS removal, G(r) = (1/N) Σ_{i≠j}
g(r - d_ij) / d_ij with g a normalised Gaussian of width σ, so the area under
r·G(r) over a peak is the average number of neighbours at that distance (12
for the first shell of bulk fcc).  DebyeCalculator (version 1.1.1) sums each
unordered pair once and so returns exactly half this G(r); the shape is
identical.

How it is computed (fast)
-------------------------
Evaluating sin(Q d) for every pair and every Q is slow (a 500-atom particle
has 125 000 pairs).  But G(r) depends on the distances only through their
histogram, so:

* the distances are spread onto a fine uniform grid x_n = n Δ, with
  Δ ≤ 0.4 / Qmax (1/64 Å for Qmax = 25 Å⁻¹).  Each distance is shared among
  its four nearest grid points with cubic-interpolation weights, placed from
  sub-bins of width Δ/32, so a distance is effectively known to ±Δ/64;
* one fast sine transform (``scipy.fft.dst``) of the histogram divided by x_n
  gives Σ sin(Q d) / d, hence F(Q), on the uniform grid Q_k = k π / L, where
  L ≥ the longest distance is the length of the grid;
* with ``delta2 > 0`` the width depends on the distance, so one Debye-Waller
  factor no longer fits all pairs.  The histogram is cut into a few bands of
  u = 1/x² with piecewise-linear ("hat") weights; each band gets one sine
  transform and the factor exp(-σ² (1 - δ2 u_b) Q² / 2) of its centre u_b.
  Bands are spaced so that δ2 Δu ≤ 0.05, which keeps the error a few
  per mille of the highest peak (tested against an exact pair-by-pair sum):
  about ten extra transforms for δ2 = 2 Å²;
* F(Q) is multiplied by the Debye-Waller factor and by the Qmin..Qmax window
  (the grid point Q_k stands for the part of [Q_k - π/2L, Q_k + π/2L] inside the
  window, so results change smoothly with qmin and qmax), and a second sine
  transform gives G on the grid x_n, which is interpolated (cubic) at the
  requested r and multiplied by the Qdamp envelope.

A structure used many times (a dataset, a fit) is faster still as its
distinct distances with their multiplicities (:func:`pair_distances`): a
perfect particle of 4000 atoms has 8 million pairs but a few thousand
distinct distances.

A sum over a Q grid with step π/L makes G periodic with period 2L; L is chosen
large enough that no distance folds back below max(r) + 30 Å.  Compared with
the exact integral over pairs, the error is at most about 0.3 % of the highest
peak (largest for Biso = 0, where the cut at Qmax is sharpest) and the Pearson
correlation is above 0.99999.  Histograms hold whole numbers, so the output
does not depend on summation order: it is deterministic.

Public API: :func:`compute_pdf` (from an ``ase.Atoms``),
:func:`pdf_from_distances` (from ``scipy.spatial.distance.pdist`` output, or
from distinct distances and their multiplicities, so that one geometry's
distances can be rescaled and reused) and :func:`pair_distances`.  There are
no default instrument parameters: the course's values live in one table,
:data:`helpers.simulation.PARAMETERS`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from numbers import Integral
from typing import NamedTuple

import numpy as np
from ase.data import chemical_symbols
from scipy import fft as _fft
from scipy import sparse
from scipy.spatial.distance import pdist

from helpers.validation import check_scalar

__all__ = ["compute_pdf", "pair_distances", "pdf_from_distances", "scaled_pdf"]

QMAX_LIMIT = 100.0
"""Largest accepted ``qmax`` (Å⁻¹); X-ray PDF data reach about 20-50 Å⁻¹."""

SAS_WIDTH = 1.1
"""Width w (Å) of the Gaussian that smears each atom into the particle's continuous density, whose
small-angle scattering is removed when ``include_sas=False`` (see the module docstring)."""

_SUBBINS = 32  # sub-bins per grid step Δ (a distance is placed to within ±Δ/64)
_DELTA_TIMES_QMAX = 0.4  # grid spacing Δ = largest power of two ≤ 0.4 / qmax
_IMAGE_MARGIN = 15.0  # Å; the periodic image of the longest distance stays 2x this beyond max(r)
_MAX_NODES = 1 << 19  # largest grid (8192 Å at qmax = 25 Å⁻¹); larger means wrong units
_DELTA2_STEP = 0.05  # largest change of 1 - δ2/r² within one band of the correlated-motion widths
_DISTINCT_BINS = 1 << 21  # pair_distances: bins over 0 .. longest distance (2e-7 of the diameter each)


class _Physics(NamedTuple):
    """The checked physical parameters of one PDF (units: Å⁻¹ for the q's, Å² for biso and delta2)."""

    qmin: float
    qmax: float
    qdamp: float
    biso: float
    delta2: float
    include_sas: bool


def compute_pdf(
    atoms,
    r,
    *,
    qmin: float,
    qmax: float,
    qdamp: float,
    biso: float,
    delta2: float = 0.0,
    include_sas: bool = False,
) -> np.ndarray:
    """Reduced X-ray PDF G(r) (Å⁻²) of a monoatomic particle.

    Parameters
    ----------
    atoms : ase.Atoms with at least two atoms, all of one element (the form
        factor then cancels, see the module docstring); periodic boundary
        conditions are ignored, the particle is treated as an isolated cluster.
    r : 1-D array of strictly increasing, non-negative distances (Å).
    qmin, qmax : Q range (Å⁻¹) of the Fourier transform, 0 ≤ qmin < qmax ≤ 100.
    qdamp : instrumental damping (Å⁻¹), envelope exp(-(qdamp r)² / 2); ≥ 0.
    biso : isotropic displacement parameter Biso = 8π²U (Å²) of every atom; ≥ 0.
    delta2 : correlated-motion parameter δ2 (Å², PDFfit2/PDFgui convention): the peak
        width of a pair at distance r is σ √(1 - δ2/r²); 0 ≤ δ2 < (shortest distance)².
    include_sas : False (default): the small-angle scattering is removed, so G(r) has
        the -4πρ₀rγ₀(r) baseline of measured data whatever ``qmin`` is; True: the
        pure Debye-equation result (DebyeCalculator, DiffPy's DebyePDFCalculator),
        whose baseline comes only from the Qmin cut.  See the module docstring.

    There are no default instrument parameters: pass them, e.g. the course's
    ``**helpers.simulation.clean_parameters()``, or a measured file's.

    Returns
    -------
    numpy.ndarray of float64, same shape as ``r``.

    Raises
    ------
    TypeError
        if a parameter is not a number (see :func:`pdf_from_distances`) or ``atoms`` is
        not an ase.Atoms.
    ValueError
        if a parameter is out of range (see :func:`pdf_from_distances`), if ``atoms``
        has fewer than two atoms, more than one element or non-finite positions,
        or if two atoms coincide.

    Notes
    -----
    The result is ``pdf_from_distances(pdist(atoms.positions), len(atoms), r, ...)``.
    Time: about 0.2 ms for 100 atoms, 0.8 ms for 500 and 10-20 ms for 2000 (one thread);
    ``delta2 > 0`` adds about 0.03 ms per band (``benchmarks/pdf_speed.py``, which also
    compares it with the floor of any method, ``pdist`` + ``np.bincount``).
    The pair distances are O(N²), the rest is nearly independent of the particle.
    """
    if not hasattr(atoms, "get_positions") or not hasattr(atoms, "numbers"):
        raise TypeError(f"atoms must be an ase.Atoms object, got {type(atoms).__name__}")
    n_atoms = len(atoms)
    if n_atoms < 2:
        raise ValueError(f"atoms must contain at least 2 atoms to have a pair distribution, got {n_atoms}")
    numbers = np.asarray(atoms.numbers)
    if (numbers != numbers[0]).any():
        elements = ", ".join(chemical_symbols[z] for z in np.unique(numbers))
        raise ValueError(f"atoms must contain a single element (monoatomic particle), got {elements}")
    positions = np.asarray(atoms.get_positions(), dtype=float)
    if not np.isfinite(positions).all():
        raise ValueError("atoms has non-finite (NaN or infinite) positions")
    physics = _check_physics(qmin, qmax, qdamp, biso, delta2, include_sas)
    r = _check_r(r)
    delta = _node_spacing(physics.qmax)
    return _pdf_from_counts(_count_pairs(pdist(positions), None, delta), n_atoms, r, delta, physics)


def pdf_from_distances(
    distances,
    n_atoms: int,
    r,
    *,
    weights=None,
    qmin: float,
    qmax: float,
    qdamp: float,
    biso: float,
    delta2: float = 0.0,
    include_sas: bool = False,
) -> np.ndarray:
    """Reduced X-ray PDF G(r) (Å⁻²) of a monoatomic particle from its pair distances.

    Parameters
    ----------
    distances : 1-D array of pair distances (Å), all positive and finite: either
        the n_atoms (n_atoms - 1) / 2 distances of all unordered pairs, each
        pair once, as ``scipy.spatial.distance.pdist(positions)`` returns them,
        or (with ``weights``) distinct distances, as :func:`pair_distances`
        returns them.  Multiplying them by a factor is the same as scaling
        the particle.
    n_atoms : number of atoms (≥ 2) in the particle.
    weights : ``None`` (every entry of ``distances`` is one pair) or the
        multiplicity of each distance: non-negative whole numbers that sum
        to n_atoms (n_atoms - 1) / 2.
    r, qmin, qmax, qdamp, biso, delta2, include_sas : as in :func:`compute_pdf`.

    Returns
    -------
    numpy.ndarray of float64, same shape as ``r``.

    Raises
    ------
    TypeError
        naming the argument, if ``qmin``/``qmax``/``qdamp``/``biso``/``delta2`` is not a
        number (a string or a bool is not), or ``include_sas`` not a bool.
    ValueError
        naming the argument, if ``qmin``/``qmax``/``qdamp``/``biso``/``delta2`` are not
        finite with 0 ≤ qmin < qmax ≤ 100, qdamp ≥ 0, biso ≥ 0, 0 ≤ delta2 <
        (shortest distance)²; if ``r`` is not a non-empty 1-D array of finite,
        non-negative, strictly increasing values; if ``n_atoms`` is not an integer ≥ 2;
        if ``distances`` is not 1-D, has the wrong length (or ``weights`` the wrong
        sum), or holds a value that is not positive and finite; or if distances or r
        are so long (thousands of Å, wrong units) that the grid would not fit in memory.
    """
    physics = _check_physics(qmin, qmax, qdamp, biso, delta2, include_sas)
    r = _check_r(r)
    d, w = _check_distances(distances, n_atoms, weights)
    delta = _node_spacing(physics.qmax)
    return _pdf_from_counts(_count_pairs(d, w, delta), int(n_atoms), r, delta, physics)


def scaled_pdf(
    distances, n_atoms: int, r, *, weights=None, qmin: float, qmax: float, include_sas: bool = False
):
    """G(r) of one particle scaled by any factor, for a fit: the arrays are checked once, not per evaluation.

    Returns ``g(scale, *, qdamp, biso, delta2=0.0)``, equal bit for bit to
    ``pdf_from_distances(distances * scale, n_atoms, r, weights=weights, qmin=qmin, qmax=qmax,
    qdamp=qdamp, biso=biso, delta2=delta2, include_sas=include_sas)``.  A fit evaluates it hundreds of
    times (:func:`helpers.fit.fit_candidate`), where checking ``distances``, ``weights`` and ``r`` every
    time cost 5-10 % of the fit.  Raises as :func:`pdf_from_distances` does, here or at the call.
    """
    fixed = _check_physics(qmin, qmax, 0.0, 0.0, 0.0, include_sas)
    r = _check_r(r)
    d, w = _check_distances(distances, n_atoms, weights)
    n_atoms, delta = int(n_atoms), _node_spacing(fixed.qmax)

    def g(scale: float, *, qdamp: float, biso: float, delta2: float = 0.0) -> np.ndarray:
        scale = check_scalar(scale, "scale", min_val=0.0, include_boundaries="neither")
        physics = fixed._replace(
            qdamp=check_scalar(qdamp, "qdamp", min_val=0.0, unit="Å⁻¹"),
            biso=check_scalar(biso, "biso", min_val=0.0, unit="Å²"),
            delta2=check_scalar(delta2, "delta2", min_val=0.0, unit="Å²"),
        )
        return _pdf_from_counts(_count_pairs(d * scale, w, delta), n_atoms, r, delta, physics)

    return g


def pair_distances(positions) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pair distances of a structure and how many pairs have each.

    ``positions`` is an (N, 3) array (Å, or any unit: the result is in the same one).
    Returns ``(distances, multiplicities)``, ascending distances and the number of
    unordered pairs at each (float64 whole numbers summing to N (N - 1) / 2), for
    ``pdf_from_distances(distances * scale, N, r, weights=multiplicities, ...)``.

    Distances are merged when they fall in one of 2²¹ bins spanning 0 to the
    longest distance (width 5e-7 of the longest distance, 1e-5 Å for a 20 Å
    particle: twenty times finer than the PDF's own sub-bins) and are replaced by
    their mean; pairs related by the particle's symmetry have equal distances, so
    a perfect particle of thousands of atoms has only thousands of distinct ones.
    """
    try:
        pos = np.asarray(positions, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"positions must be an (N, 3) array of numbers, got {type(positions).__name__}"
        ) from None
    if pos.ndim != 2 or pos.shape[1] != 3 or len(pos) < 2:
        raise ValueError(f"positions must be an (N, 3) array with N >= 2, got shape {pos.shape}")
    if not np.isfinite(pos).all():
        raise ValueError("positions must be finite (no NaN or infinite values)")
    d = pdist(pos)
    d_max = float(d.max())
    if not d.min() > 0.0:
        _raise_distance_error(float(d.min()), d_max)
    scale = (_DISTINCT_BINS - 1) / d_max
    index = (d * scale).astype(np.intp)
    counts = np.bincount(index, minlength=_DISTINCT_BINS)
    sums = np.bincount(index, weights=d, minlength=_DISTINCT_BINS)
    used = np.flatnonzero(counts)
    return sums[used] / counts[used], counts[used].astype(float)


def _pdf_from_counts(
    pairs: _Counts, n_atoms: int, r: np.ndarray, delta: float, physics: _Physics
) -> np.ndarray:
    """G(r) from the numbers of pairs in the sub-bins [j, j + 1) Δ/32 (see _count_pairs); arguments checked."""
    counts, d_max = pairs.counts, pairs.d_max
    r_max = float(r[-1])
    box = _box_length(d_max, r_max)
    if box / delta > _MAX_NODES:
        raise ValueError(
            f"distances up to {d_max:.4g} Å and r up to {r_max:.4g} Å with qmax={physics.qmax:g} Å⁻¹ need too "
            "fine a grid; are the distances in Å?"
        )
    n_nodes = round(box / delta)  # grid nodes x_n = n Δ, n = 0 .. n_nodes - 1
    dq = math.pi / box  # Q grid Q_k = k dq of the sine transform
    k_max = min(n_nodes - 1, math.ceil(physics.qmax / dq + 0.5))
    q = np.arange(1, k_max + 1) * dq
    sigma2 = physics.biso / (4.0 * math.pi**2)  # σ² of a pair's distance (two atoms of U = Biso / 8π²)

    # f0(Q_k) = Σ_{i<j} sin(Q_k d_ij) / d_ij from the histogram (node 0 at x = 0 does not contribute),
    # and Σ_{i<j} DW_ij(Q_k) sin(Q_k d_ij) / d_ij, band by band when the width depends on the distance
    hist = _spread_to_nodes(counts, n_nodes)
    weighted = hist[1:] * _inverse_nodes(delta, n_nodes)
    # F(Q) = Q [S(Q) - 1]: ordered pairs i≠j (twice the unordered ones), with the Debye-Waller factor(s)
    if physics.delta2 > 0.0 and sigma2 > 0.0:
        f0, f_dw = _correlated_sum(weighted, pairs.first, delta, q, sigma2, physics.delta2)
        f_q = f_dw * (2.0 / n_atoms)
    else:
        f0 = _fft.dst(weighted, type=1, overwrite_x=True)[:k_max] / 2.0
        f_q = f0 * (2.0 / n_atoms) * np.exp(-(physics.biso / (8.0 * math.pi**2)) * q * q)
    # minus the small-angle scattering of the particle's smeared density (pairs and self term)
    if not physics.include_sas:
        smear = np.exp(-((SAS_WIDTH * q) ** 2))
        f_q -= smear * (f0 * (2.0 / n_atoms) + q)

    # (2/π) ∫_{qmin}^{qmax} F(Q) sin(Q r) dQ: Q_k stands for the part of [Q_k - dq/2, Q_k + dq/2] in range
    weights = np.clip(
        np.minimum(q + 0.5 * dq, physics.qmax) - np.maximum(q - 0.5 * dq, physics.qmin), 0.0, None
    )
    coefficients = np.zeros(n_nodes - 1)
    coefficients[:k_max] = weights * f_q
    g_nodes = _fft.dst(coefficients, type=1, overwrite_x=True) / math.pi  # G(x_n), n = 1 .. n_nodes - 1

    return _interpolate_cubic(g_nodes, delta, r) * np.exp(-0.5 * (physics.qdamp * r) ** 2)


def _correlated_sum(weighted, first, delta, q, sigma2, delta2) -> tuple[np.ndarray, np.ndarray]:
    """f0(Q) = Σ sin(Q d)/d and Σ exp(-σ² (1 - δ2/d²) Q²/2) sin(Q d)/d over the pairs, from the node
    histogram ``weighted`` (= h_n / x_n at x_n = n Δ, n >= 1).

    The factor is linear-interpolated in u = 1/x² between band centres u_b = b Δu ("hat" weights),
    so each band needs one sine transform; Δu is set by _DELTA2_STEP.  The shortest distance (the
    first non-empty sub-bin, ``first``) must have d² > δ2.
    """
    d_min = float(first) * delta / _SUBBINS  # lower edge of the shortest sub-bin
    if not delta2 < d_min * d_min:
        raise ValueError(
            f"delta2 must be smaller than the squared shortest distance ({d_min:.3g} Å)² = {d_min * d_min:.3g} "
            f"Å², got {delta2:g} Å²: the peak width σ√(1 - δ2/r²) of that pair would be imaginary "
            "(PDFfit2 drops such pairs; metals have δ2 of about 0-5 Å²)"
        )
    k_max = q.size
    nodes = np.flatnonzero(weighted)
    u = 1.0 / ((nodes + 1) * delta) ** 2  # weighted[m] belongs to node m + 1
    u_top = 1.0 / max(d_min - 2.0 * delta, 0.5 * d_min) ** 2  # spreading reaches 2 nodes below d_min
    n_bands = max(1, math.ceil(delta2 * u_top / _DELTA2_STEP))
    du = u_top / n_bands
    t = np.minimum(u / du, n_bands)
    band = np.minimum(t.astype(np.intp), n_bands - 1)
    upper = t - band  # hat weight of band + 1; 1 - upper goes to band
    parts = np.zeros((n_bands + 2, weighted.size))  # row n_bands + 1: all nodes, for f0
    parts[band, nodes] = weighted[nodes] * (1.0 - upper)
    parts[band + 1, nodes] += weighted[nodes] * upper
    parts[-1] = weighted
    sums = _fft.dst(parts, type=1, axis=-1, overwrite_x=True)[:, :k_max] / 2.0
    width2 = sigma2 * np.maximum(0.0, 1.0 - delta2 * du * np.arange(n_bands + 1))  # σ'² of each band centre
    factors = np.exp(-0.5 * width2[:, None] * (q * q)[None, :])
    return sums[-1], np.einsum("bk,bk->k", sums[:-1], factors)


# --- argument checks -------------------------------------------------------------------------------------


def _check_physics(qmin, qmax, qdamp, biso, delta2, include_sas) -> _Physics:
    qmin = check_scalar(qmin, "qmin", min_val=0.0, unit="Å⁻¹")
    qmax = check_scalar(qmax, "qmax", max_val=QMAX_LIMIT, unit="Å⁻¹")
    if not qmin < qmax:
        raise ValueError(f"qmin must be smaller than qmax, got qmin={qmin} and qmax={qmax} Å⁻¹")
    qdamp = check_scalar(qdamp, "qdamp", min_val=0.0, unit="Å⁻¹")
    biso = check_scalar(biso, "biso", min_val=0.0, unit="Å²")
    delta2 = check_scalar(delta2, "delta2", min_val=0.0, unit="Å²")
    if not isinstance(include_sas, (bool, np.bool_)):
        raise TypeError(f"include_sas must be True or False, got {include_sas!r}")
    return _Physics(qmin, qmax, qdamp, biso, delta2, bool(include_sas))


def _check_r(r) -> np.ndarray:
    try:
        r = np.asarray(r, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("r must be a 1-D array of distances in Å") from None
    if r.ndim != 1 or r.size == 0:
        raise ValueError(f"r must be a non-empty 1-D array of distances in Å, got shape {r.shape}")
    if not np.isfinite(r).all():
        raise ValueError("r must contain only finite values")
    if r[0] < 0:
        raise ValueError(f"r must be non-negative, got r[0] = {r[0]}")
    if r.size > 1 and not (np.diff(r) > 0).all():
        raise ValueError("r must be strictly increasing")
    return r


def _check_distances(distances, n_atoms, weights) -> tuple[np.ndarray, np.ndarray | None]:
    n_atoms = check_scalar(n_atoms, "n_atoms", Integral, min_val=2)
    try:
        d = np.asarray(distances, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("distances must be a 1-D array of pair distances in Å") from None
    if d.ndim != 1:
        raise ValueError(
            f"distances must be 1-D (one entry per unordered pair, as scipy.spatial.distance.pdist "
            f"returns), got shape {d.shape}"
        )
    n_pairs = n_atoms * (n_atoms - 1) // 2
    if weights is None:
        if d.size != n_pairs:
            raise ValueError(
                f"distances must have n_atoms * (n_atoms - 1) / 2 = {n_pairs} entries for n_atoms={n_atoms} "
                f"(each unordered pair once), got {d.size}"
            )
        return d, None
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("weights must be a 1-D array of pair multiplicities (whole numbers)") from None
    if w.shape != d.shape:
        raise ValueError(f"weights must have the shape of distances {d.shape}, got {w.shape}")
    if not (np.isfinite(w).all() and (w >= 0).all() and (w == np.round(w)).all()):
        raise ValueError("weights must be non-negative whole numbers (how many pairs have each distance)")
    total = float(w.sum())
    if total != n_pairs:
        raise ValueError(
            f"weights must sum to n_atoms * (n_atoms - 1) / 2 = {n_pairs} pairs for n_atoms={n_atoms}, "
            f"got {total:g}"
        )
    return d, w


# --- numerical machinery ------------------------------------------------------------------------------------


def _node_spacing(qmax: float) -> float:
    """Grid spacing Δ: the largest power of two ≤ 0.4 / qmax and ≤ 1/8 Å (a power of two makes d / Δ exact)."""
    return 2.0 ** min(-3, math.floor(math.log2(_DELTA_TIMES_QMAX / qmax)))


def _box_length(d_max: float, r_max: float) -> float:
    """Length L (Å) of the sine-transform grid, from {16, 24, 32, 48, 64, ...} Å.

    The transforms treat G as periodic with period 2L, so every distance d also
    appears as a negative "image" at 2L - d.  L must exceed the longest distance
    and max(r), and keep that image 2 * ``_IMAGE_MARGIN`` beyond max(r).
    """
    needed = max(d_max + 1.0, r_max + 1.0, 0.5 * (d_max + r_max) + _IMAGE_MARGIN)
    length = 16.0
    while True:
        for candidate in (length, 1.5 * length):
            if candidate >= needed:
                return candidate
        length *= 2.0


def _lagrange_weights(s: np.ndarray) -> np.ndarray:
    """Cubic Lagrange weights, shape (len(s), 4), of the nodes -1, 0, 1, 2 for a point at s in [0, 1)."""
    sm1, sp1, sm2 = s - 1.0, s + 1.0, s - 2.0
    return np.stack(
        [-s * sm1 * sm2 / 6.0, sp1 * sm1 * sm2 / 2.0, -sp1 * s * sm2 / 2.0, sp1 * s * sm1 / 6.0], axis=1
    )


@lru_cache(maxsize=1)
def _subbin_weights() -> np.ndarray:
    """(sub-bins, 4) weights given by a sub-bin centre to the nodes n-1 .. n+2 around it."""
    weights = _lagrange_weights((np.arange(_SUBBINS) + 0.5) / _SUBBINS)
    weights.setflags(write=False)
    return weights


@lru_cache(maxsize=16)
def _inverse_nodes(delta: float, n_nodes: int) -> np.ndarray:
    """1 / x_n for the grid nodes x_n = n Δ, n = 1 .. n_nodes - 1."""
    inverse = 1.0 / (np.arange(1, n_nodes) * delta)
    inverse.setflags(write=False)
    return inverse


def _n_counts(d_max: float, delta: float) -> int:
    """Number of sub-bins of width Δ/32 needed for distances up to d_max."""
    return (int(d_max / delta) + 1) * _SUBBINS


class _Counts(NamedTuple):
    """Pair counts in the sub-bins [j, j + 1) Δ/32, the longest distance, and the first non-empty sub-bin."""

    counts: np.ndarray
    d_max: float
    first: int


def _count_pairs(pairs: np.ndarray, weights: np.ndarray | None, delta: float) -> _Counts:
    """Numbers of distances in the sub-bins [j, j + 1) Δ/32, the longest distance and the first non-empty
    sub-bin (that of the shortest distance, unless its multiplicity is 0).

    ``weights`` (or None: one each) are the multiplicities of the distances (whole numbers).  The
    counts are whole numbers (exact in float64), so the result does not depend on the order of the
    pairs.
    """
    low, d_max = float(pairs.min()), float(pairs.max())  # NaN propagates
    if not (low > 0.0 and d_max < math.inf):
        _raise_distance_error(low, d_max)
    longest = _MAX_NODES * delta  # longest distance accepted
    if not d_max < longest:
        raise ValueError(f"distances must be shorter than {longest:g} Å, got {d_max:.4g}")
    scale = _SUBBINS / delta  # a power of two: d * scale is exact
    index = np.multiply(
        pairs, scale, out=np.empty(pairs.size, np.intp), casting="unsafe"
    )  # truncation = floor
    counts = np.bincount(index, weights=weights, minlength=_n_counts(d_max, delta))
    first = int(low * scale)  # the sub-bin of the shortest distance, as ``index`` truncates
    if not counts[first] > 0:  # its multiplicity is 0: search (rare; scanning all sub-bins costs ~0.1 ms)
        first = int(np.flatnonzero(counts)[0])
    return _Counts(counts.astype(float, copy=False), d_max, first)


def _raise_distance_error(low: float, high: float):
    raise ValueError(
        "distances must all be positive and finite (a zero distance means two atoms on top of each other), "
        f"got values in [{low}, {high}]"
    )


def _spread_to_nodes(counts: np.ndarray, n_nodes: int) -> np.ndarray:
    """Pair counts spread onto the nodes x_n = n Δ (length n_nodes) with cubic Lagrange weights.

    A distance d = (n + s) Δ is shared among the nodes n-1 .. n+2 so that
    Σ_n h_n f(x_n) is the cubic interpolation of Σ_pairs f(d) for any smooth f,
    here sin(Q d) / d.  The distances are known through their sub-bin of width
    Δ/32, and each sub-bin is spread from its centre.
    """
    n_used = min(n_nodes, counts.size // _SUBBINS)  # steps beyond the longest distance are empty
    shares = counts[: n_used * _SUBBINS].reshape(n_used, _SUBBINS) @ _subbin_weights()  # nodes n-1 .. n+2
    hist = np.zeros(n_nodes + 3)  # hist[m] belongs to node m - 1
    for offset in range(4):
        hist[offset : offset + n_used] += shares[:, offset]
    # sin(Q x) / x is even in x: node -1 counts as node 1.  Distances reach at most node n_nodes - 3.
    hist[2] += hist[0]
    return hist[1 : n_nodes + 1]


def _interpolate_cubic(g_nodes: np.ndarray, delta: float, r: np.ndarray) -> np.ndarray:
    """4-point Lagrange interpolation at r of G known at n Δ (n = 1 .. len); G(0) = 0 and G(-Δ) = -G(Δ)."""
    extended = np.concatenate(([-g_nodes[0], 0.0], g_nodes, [0.0]))  # extended[m] = G((m - 1) Δ)
    if r.size > _CACHED_R_SIZE:
        return _interpolation_matrix(r, delta, extended.size) @ extended
    return _cached_interpolation_matrix(r.tobytes(), delta, extended.size) @ extended


_CACHED_R_SIZE = 1 << 15  # r grids up to this size have their interpolation matrix cached


@lru_cache(maxsize=8)
def _cached_interpolation_matrix(r_bytes: bytes, delta: float, n_columns: int) -> sparse.csr_matrix:
    """_interpolation_matrix, cached: in practice the r grid rarely changes between calls."""
    return _interpolation_matrix(np.frombuffer(r_bytes, dtype=float), delta, n_columns)


def _interpolation_matrix(r: np.ndarray, delta: float, n_columns: int) -> sparse.csr_matrix:
    """Sparse (len(r), n_columns) matrix of the cubic interpolation weights from the nodes (m - 1) Δ."""
    t = r / delta
    i = t.astype(np.intp)  # floor, as r >= 0
    columns = i[:, None] + np.arange(4)
    rows = np.repeat(np.arange(r.size), 4)
    return sparse.csr_matrix(
        (_lagrange_weights(t - i).ravel(), (rows, columns.ravel())), shape=(r.size, n_columns)
    )
