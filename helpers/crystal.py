"""The PDF of a crystal lattice times a spherical envelope: the conventional model of a metal nanoparticle.

A PDF scientist fitting a metal (nano)powder in PDFgui/PDFfit2 refines a *crystal* (an infinite,
periodic structure, here one of the four Bravais-type lattices of the course: FCC, BCC, HCP, SC)
and, for a nanoparticle, multiplies its PDF by the shape function of a sphere of diameter D
(PDFgui's ``spdiameter``).  D → ∞ is the bulk crystal; nothing about the outline is assumed
beyond "round".  :func:`crystal_pdf` computes this PDF as PDFfit2 does (Farrow et al., J. Phys.:
Condens. Matter 19, 335219 (2007); libpdffit2 ``DataSet::determine``):

    G(r) = [ (1/r) Σ_j m_j T_j(r) - 4π ρ0 r ] · exp(-(Qdamp r)²/2) · γ0(r; D),  then the Qmax cut

* m_j neighbours at distance d_j of an atom (every atom of these lattices is equivalent), each a
  Gaussian T_j of width σ_j = σ' √(1 - δ2/d_j² + Qbroad² d_j²), σ'² = 2U = Biso/(4π²) (PDFfit2's
  peak sharpening ``delta2`` and resolution broadening ``qbroad``);
* ρ0 the number density of the lattice (FCC 4/a³, BCC 2/a³, SC 1/a³, HCP 4/(√3 a² c));
* γ0(r; D) = 1 - 3/2 (r/D) + 1/2 (r/D)³ for r < D, else 0: the sphere's shape function
  (``sphereEnvelope`` of PDFfit2); it is refined here through u = 1/D, so that u = 0 is bulk and
  the model is smooth there;
* the termination at Qmax (PDFfit2's ``applyQmaxCutoff``): the curve, computed on a fine grid
  out to 6 Å beyond the fitted range, is Fourier-filtered to |Q| < Qmax.  As in PDFfit2, Qmin is
  not modelled (its ripple is weak at r < 20 Å for Qmin ≤ 1.5 Å⁻¹).

Speed: the distinct distances (as coefficients d² = a² p + c² q) and multiplicities of each
lattice are computed once; a G(r) then costs one exp per point of each peak's ±5σ window and two
real FFTs: about 0.3 ms for 1.5-20 Å.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np

LATTICES = ("FCC", "BCC", "HCP", "SC")
"""The lattice types with a crystal model (the other catalogue types, Icosahedral, Decahedral and
Octahedral, are finite clusters with no periodic counterpart, or an outline of FCC)."""

IDEAL_C_OVER_A = math.sqrt(8.0 / 3.0)
"""c/a of close-packed HCP (1.633); real hcp metals have 1.57-1.63 (Ti 1.588, Ru 1.582, Co 1.623)."""

_REACH = 22.0  # Å over d_nn = 1: the shells are computed out to this many nearest-neighbour distances
_STEP = 0.025  # Å: finest grid step for the peaks (σ ≥ 0.04 Å is sampled exactly; see below)
_MARGIN = 6.0  # Å computed beyond the fitted range, so that the Qmax filter has no edge there
_TAPER = 2.0  # Å at the far end smoothly brought to zero before the filter


class Shells(NamedTuple):
    """Neighbour shells of a lattice: squared distance d² = a² p + c² q, m neighbours per atom."""

    p: np.ndarray
    q: np.ndarray
    m: np.ndarray


def d_nn_over_a(lattice: str, c_over_a: float = IDEAL_C_OVER_A) -> float:
    """The nearest-neighbour distance in units of the lattice constant a."""
    if lattice == "FCC":
        return 1.0 / math.sqrt(2.0)
    if lattice == "BCC":
        return math.sqrt(3.0) / 2.0
    if lattice == "SC":
        return 1.0
    if lattice == "HCP":
        return min(1.0, math.sqrt(1.0 / 3.0 + c_over_a**2 / 4.0))
    raise ValueError(f"unknown lattice {lattice!r}: expected one of {', '.join(LATTICES)}")


def number_density(lattice: str, a: float, c_over_a: float = IDEAL_C_OVER_A) -> float:
    """Atoms per Å³ of the lattice with lattice constant ``a`` (Å)."""
    per_cell = {"FCC": 4.0, "BCC": 2.0, "SC": 1.0}
    if lattice in per_cell:
        return per_cell[lattice] / a**3
    return 2.0 / (math.sqrt(3.0) / 2.0 * a * a * c_over_a * a)


@lru_cache(maxsize=8)
def shells(lattice: str) -> Shells:
    """The distinct neighbour shells of one atom of ``lattice``, out to about 22 d_nn (computed once)."""
    if lattice in ("FCC", "BCC", "SC"):
        n = math.ceil(_REACH * d_nn_over_a(lattice) ** -1 * 2) + 1  # half-integer steps in a
        k = np.arange(-n, n + 1)
        i, j, l = np.meshgrid(k, k, k, indexing="ij")
        i, j, l = i.ravel(), j.ravel(), l.ravel()
        if lattice == "FCC":
            keep = (i + j + l) % 2 == 0
        elif lattice == "BCC":
            keep = (i % 2 == j % 2) & (j % 2 == l % 2)
        else:
            keep = (i % 2 == 0) & (j % 2 == 0) & (l % 2 == 0)
        s2 = (i * i + j * j + l * l)[keep]  # (2 d / a)²
        s2 = s2[(s2 > 0) & (s2 <= (2 * _REACH * d_nn_over_a(lattice)) ** 2)]
        values, counts = np.unique(s2, return_counts=True)
        return _frozen(Shells(values / 4.0, np.zeros(values.size), counts.astype(float)))
    if lattice == "HCP":
        n = int(_REACH) + 2
        k = np.arange(-n, n + 1)
        x, y, z = (v.ravel().astype(float) for v in np.meshgrid(k, k, np.arange(-n, n + 1), indexing="ij"))
        keys = []
        for fx, fy, fz in ((0.0, 0.0, 0.0), (1.0 / 3.0, 2.0 / 3.0, 0.5)):  # the two atoms of the cell
            xx, yy, zz = x + fx, y + fy, z + fz
            p = xx * xx + yy * yy - xx * yy  # |x a1 + y a2|² / a² for a1, a2 at 120°
            q = zz * zz
            near = (p + q * IDEAL_C_OVER_A**2 <= _REACH**2) & (p + q > 0)
            keys.append(
                np.stack([np.rint(p[near] * 9).astype(np.int64), np.rint(q[near] * 4).astype(np.int64)])
            )
        both = np.concatenate(keys, axis=1)
        values, counts = np.unique(both, axis=1, return_counts=True)
        return _frozen(Shells(values[0] / 9.0, values[1] / 4.0, counts.astype(float)))
    raise ValueError(f"unknown lattice {lattice!r}: expected one of {', '.join(LATTICES)}")


def _frozen(s: Shells) -> Shells:
    for a in s:
        a.setflags(write=False)
    return s


def sphere_envelope(r, inv_diameter: float) -> np.ndarray:
    """γ0(r; D) of a sphere of diameter D = 1/``inv_diameter`` (PDFgui's ``spdiameter``); 1 for u = 0."""
    x = np.asarray(r, dtype=float) * inv_diameter
    return np.where(x < 1.0, 1.0 - 1.5 * x + 0.5 * x**3, 0.0)


class Grid(NamedTuple):
    """The fine grid a crystal PDF is computed on, and where the fit grid's points are in it."""

    x: np.ndarray
    fit_index: np.ndarray
    taper: np.ndarray
    n_fft: int


@lru_cache(maxsize=32)
def _grid(r0: float, step: float, n: int) -> Grid:
    sub = max(1, math.ceil(step / _STEP - 1e-9))
    h = step / sub
    k0 = math.floor(r0 / h - 1e-9)  # fine points below r0, down to just above 0
    n_fine = k0 + (n - 1) * sub + 1 + math.ceil(_MARGIN / h)
    x = r0 + h * (np.arange(n_fine) - k0)
    fit_index = k0 + sub * np.arange(n)
    end = x[-1] - _TAPER
    t = np.clip((x - end) / _TAPER, 0.0, 1.0)
    taper = 0.5 * (1.0 + np.cos(math.pi * t))
    n_fft = 1 << math.ceil(math.log2(2 * n_fine))
    for arr in (x, fit_index, taper):
        arr.setflags(write=False)
    return Grid(x, fit_index, taper, n_fft)


def crystal_pdf(
    lattice: str,
    r,
    *,
    a: float,
    c_over_a: float = IDEAL_C_OVER_A,
    biso: float,
    delta2: float = 0.0,
    qdamp: float = 0.0,
    qbroad: float = 0.0,
    inv_diameter: float = 0.0,
    qmax: float,
) -> np.ndarray:
    """G(r) (Å⁻², PDFfit2 normalisation) of ``lattice`` × a sphere of diameter 1/``inv_diameter``.

    ``r`` must be a uniform grid (as :func:`helpers.fit.prepare_data` makes it).  ``a`` (Å) is the
    lattice constant (HCP: the in-plane one, c = ``c_over_a`` · a); ``biso`` (Å²), ``delta2`` (Å²),
    ``qdamp``, ``qbroad``, ``qmax`` (Å⁻¹) as in PDFfit2; ``inv_diameter`` = 1/D (Å⁻¹), 0 for bulk.
    See the module docstring for the formula.
    """
    r = np.asarray(r, dtype=float)
    step = float(r[1] - r[0])
    grid = _grid(round(float(r[0]), 9), round(step, 9), r.size)
    x = grid.x
    h = float(x[1] - x[0])
    s = shells(lattice)
    c = c_over_a * a
    d = np.sqrt(a * a * s.p + c * c * s.q)
    keep = d < x[-1] + 1.0
    d, m = d[keep], s.m[keep]
    sigma2 = biso / (4.0 * math.pi**2) * (1.0 - delta2 / (d * d) + (qbroad * d) ** 2)
    ok = sigma2 > 0.0  # PDFfit2 drops a pair whose width would be imaginary
    d, m, sigma = d[ok], m[ok], np.sqrt(np.maximum(sigma2[ok], 1e-12))
    half = math.ceil(5.0 * float(sigma.max()) / h) + 1
    start = np.rint((d - x[0]) / h).astype(np.intp) - half
    idx = start[:, None] + np.arange(2 * half + 1)[None, :]
    inside = (idx >= 0) & (idx < x.size)
    idx = np.clip(idx, 0, x.size - 1)
    z = (x[idx] - d[:, None]) / sigma[:, None]
    values = (m / (math.sqrt(2.0 * math.pi) * sigma))[:, None] * np.exp(-0.5 * z * z)
    values[~inside] = 0.0
    peaks = np.bincount(idx.ravel(), weights=values.ravel(), minlength=x.size)
    rho0 = number_density(lattice, a, c_over_a)
    g = peaks / np.maximum(x, h) - 4.0 * math.pi * rho0 * x
    g *= np.exp(-0.5 * (qdamp * x) ** 2)
    if inv_diameter > 0.0:
        g *= sphere_envelope(x, inv_diameter)
    # the Qmax cut (PDFfit2's applyQmaxCutoff): zero the Fourier components above Qmax
    spectrum = np.fft.rfft(g * grid.taper, grid.n_fft)
    q = 2.0 * math.pi * np.fft.rfftfreq(grid.n_fft, h)
    spectrum[q > qmax] = 0.0
    g = np.fft.irfft(spectrum, grid.n_fft)[: x.size]
    return g[grid.fit_index]


# --------------------------------------------------------------------------- fitting it


class CrystalFit(NamedTuple):
    """The refined crystal × sphere model of one lattice type (Å, Å², Å⁻¹), with esd's.

    ``diameter`` is inf when the data are consistent with bulk (1/D within 2 esd of 0); then
    ``diameter_min`` is the smallest diameter the data support (1/D at its upper 2-esd limit),
    otherwise ``diameter`` ± ``esd["diameter"]`` is the measured size.
    """

    structure_type: str
    a: float
    c_over_a: float
    d_nn: float
    biso: float
    delta2: float
    qdamp: float
    qbroad: float
    diameter: float
    diameter_min: float
    scale: float
    rw: float
    r: np.ndarray
    g_obs: np.ndarray
    g_calc: np.ndarray
    esd: dict
    at_bounds: tuple

    @property
    def model(self) -> str:
        return "crystal"

    @property
    def bulk(self) -> bool:
        return math.isinf(self.diameter)

    @property
    def c(self) -> float:
        return self.a * self.c_over_a

    @property
    def shape(self) -> str:
        if not self.bulk:
            return "sphere"
        return "bulk crystal" if self.diameter_min >= 100.0 else "crystal, size not determined"

    @property
    def size(self) -> int:
        return 0

    @property
    def n_atoms(self) -> float:
        if self.bulk:
            return math.inf
        return number_density(self.structure_type, self.a, self.c_over_a) * math.pi / 6.0 * self.diameter**3


D_NN_RANGE = (2.2, 3.6)
"""Å: the nearest-neighbour distances scanned for a start (metals: Ni, Fe 2.49 ... Pb 3.50; the course: 2.49-2.95)."""

BULK_DIAMETER = 1000.0
"""Å: a refined diameter beyond this (100 nm) is reported as bulk: its envelope changes G(r) over 1.5-20 Å by
less than 3 %, as much as a few per cent of Qdamp would."""

MIN_DIAMETER = 8.0
"""Å: the smallest sphere diameter refined (1/D ≤ 1/8 Å⁻¹)."""

BOUNDS = {
    "biso": (0.0, 5.0),
    "qdamp": (0.0, 0.10),
    "c_over_a": (1.45, 1.85),
    "inv_diameter": (0.0, 1 / MIN_DIAMETER),
}
"""Bounds of the crystal refinement; a may move ±8 % from its start, δ2 up to 0.8 d_nn,min².  Qdamp: up to
0.10 Å⁻¹ (calibrations of synchrotron and laboratory set-ups give 0.01-0.07): more is the particle's envelope
taken up by the resolution, and is flagged at the bound."""

_SCAN = np.exp(np.arange(math.log(D_NN_RANGE[0]), math.log(D_NN_RANGE[1]), 0.01))  # 1 % steps
_A_FREEDOM = 0.08


def fit_crystal(
    data, lattice: str, *, d_nn_start: float | None = None, refine_qbroad: bool = False, bulk: bool = False
) -> CrystalFit:
    """Refine the crystal × sphere model of ``lattice`` to ``data`` (:func:`helpers.fit.prepare_data`).

    Refined: the lattice constant a (HCP: and c/a), Biso, δ2, 1/D and, unless ``data.qdamp`` is
    calibrated, Qdamp; the scale in closed form; Qbroad fixed at ``data.qbroad``.  The start of a
    is global: a scan of d_nn over :data:`D_NN_RANGE` in 1 % steps (bulk and a 3 nm sphere), so
    no type stops in the local minimum of a neighbouring shell.  For a calibrant (a bulk standard):
    ``bulk=True`` fixes 1/D = 0 and ``refine_qbroad=True`` refines Qbroad too.  Esd's from the Jacobian
    (:func:`helpers.fit.standard_uncertainties`).  Deterministic.
    """
    from scipy.optimize import least_squares

    from helpers.fit import at_bounds, jacobian, rw, standard_uncertainties

    if lattice not in LATTICES:
        raise ValueError(f"unknown lattice {lattice!r}: expected one of {', '.join(LATTICES)}")
    r, g = data.r, data.g
    qdamp_fixed = data.qdamp
    qbroad = float(data.qbroad)
    ratio0 = IDEAL_C_OVER_A

    def model(a, c_over_a, biso, delta2, qdamp, u, qb=qbroad):
        return crystal_pdf(
            lattice, r, a=a, c_over_a=c_over_a, biso=biso, delta2=delta2, qdamp=qdamp, qbroad=qb,
            inv_diameter=u, qmax=data.qmax,
        )  # fmt: skip

    def scaled(shape):
        norm = float(shape @ shape)
        return max(0.0, float(shape @ g) / norm) if norm > 0 else 0.0

    def cost(shape):
        s = scaled(shape)
        return float(np.sum((s * shape - g) ** 2))

    qd0 = 0.04 if qdamp_fixed is None else qdamp_fixed
    if d_nn_start is None:
        trials = [
            (cost(model(d / d_nn_over_a(lattice, ratio0), ratio0, 0.5, 0.0, qd0, u)), d)
            for d in _SCAN
            for u in (0.0, 1 / 30)
        ]
        d_nn_start = min(trials)[1]
    a0 = d_nn_start / d_nn_over_a(lattice, ratio0)
    names = ["a"] + (["c_over_a"] if lattice == "HCP" else []) + ["biso", "delta2"]
    names += (["qdamp"] if qdamp_fixed is None else []) + ([] if bulk else ["inv_diameter"])
    names += ["qbroad"] if refine_qbroad else []
    d_lo = d_nn_start * (1 - _A_FREEDOM)
    start = {
        "a": a0,
        "c_over_a": ratio0,
        "biso": 0.5,
        "delta2": 0.5,
        "qdamp": 0.04,
        "inv_diameter": 1 / 60,
        "qbroad": 0.01,
    }
    low = {"a": a0 * (1 - _A_FREEDOM), "delta2": 0.0, "qbroad": 0.0, **{k: v[0] for k, v in BOUNDS.items()}}
    high = {"a": a0 * (1 + _A_FREEDOM), "delta2": min(6.0, 0.8 * d_lo * d_lo), "qbroad": 0.1}
    high.update({k: v[1] for k, v in BOUNDS.items()})
    steps = {
        "a": 0.01 * a0,
        "c_over_a": 0.01,
        "biso": 0.1,
        "delta2": 0.5,
        "qdamp": 0.01,
        "inv_diameter": 0.005,
    }
    steps["qbroad"] = 0.005

    def unpack(x):
        v = dict(zip(names, (float(t) for t in x)))
        return (
            v["a"], v.get("c_over_a", ratio0), v["biso"], v["delta2"],
            v.get("qdamp", qdamp_fixed), v.get("inv_diameter", 0.0), v.get("qbroad", qbroad),
        )  # fmt: skip

    def fun(x):
        shape = model(*unpack(x))
        return scaled(shape) * shape - g

    best = None
    for u0 in (
        (0.0,) if bulk else (0.0, 1 / 60, 1 / 25)
    ):  # bulk, 6 nm, 2.5 nm starts: envelope and Qdamp trade off
        x0 = [start[n] if n != "inv_diameter" else u0 for n in names]
        sol = least_squares(
            fun, x0, bounds=([low[n] for n in names], [high[n] for n in names]),
            x_scale=[steps[n] for n in names], diff_step=1e-4, xtol=1e-7, ftol=1e-7, max_nfev=300,
        )  # fmt: skip
        if best is None or sol.cost < best.cost - 1e-12:
            best = sol
    a, c_over_a, biso, delta2, qdamp, u, qbroad = unpack(best.x)
    shape = model(a, c_over_a, biso, delta2, qdamp, u, qbroad)
    scale = scaled(shape)
    g_calc = scale * shape
    lows, highs = [low[n] for n in names], [high[n] for n in names]
    esd = standard_uncertainties(
        jacobian(fun, best.x, [steps[n] for n in names], lows, highs), g - g_calc, data, names
    )
    flagged = at_bounds(names, best.x, lows, highs)
    flagged = tuple(n for n in flagged if not (n == "inv_diameter" and u < 0.5 * BOUNDS["inv_diameter"][1]))
    u_esd = esd.pop("inv_diameter", 0.0)
    if u - 2.0 * u_esd <= 0.0 or u < 1.0 / BULK_DIAMETER:  # consistent with bulk
        diameter, diameter_min, d_esd = (
            math.inf,
            1.0 / (u + 2.0 * u_esd) if u + 2 * u_esd > 0 else math.inf,
            math.nan,
        )
    else:
        diameter, diameter_min, d_esd = 1.0 / u, 1.0 / (u + 2.0 * u_esd), u_esd / (u * u)
    esd["diameter"] = d_esd
    if "c_over_a" in esd:
        esd["c"] = math.hypot(esd["a"] * c_over_a, a * esd["c_over_a"])
    esd["d_nn"] = esd["a"] * d_nn_over_a(lattice, c_over_a)
    flagged = tuple("diameter (at its smallest, 8 Å)" if n == "inv_diameter" else n for n in flagged)
    return CrystalFit(
        lattice, a, c_over_a, a * d_nn_over_a(lattice, c_over_a), biso, delta2, float(qdamp), qbroad,
        diameter, diameter_min, scale, rw(g, g_calc), r, g, g_calc, esd, flagged,
    )  # fmt: skip
