"""Tests of helpers.pdf: physics (peak positions, widths, termination, damping, correlated motion, the
small-angle baseline, normalisation), agreement with exact formulas, argument errors, and a fixed regression
reference (tests/data/pdf_reference.npz).

The reference was made with :func:`_make_reference` (run ``python tests/test_pdf.py``).  Its ``g`` curves (the
pure Debye convention, ``include_sas=True``) were checked against DebyeCalculator 1.1.1 run with a fine Q step
of 0.005 Å⁻¹ (Pearson r > 0.99998, amplitude ratio 2.00: helpers.pdf counts ordered pairs as DiffPy does,
DebyeCalculator unordered ones); see benchmarks/pdf_vs_debyecalculator.py for the full comparison.  Its
``g_measured`` curves (the default: small-angle scattering removed, delta2 = 2 Å²) were made after the tests
below had checked delta2 against an exact pair-by-pair sum and the baseline against the exact one of a sphere.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from scipy.spatial.distance import pdist

from helpers import pdf as pdf_module
from helpers.features import first_peak_position
from helpers.pdf import compute_pdf, pair_distances, pdf_from_distances, scaled_pdf
from helpers.structures import make_particle, nearest_neighbour_distance

REFERENCE = Path(__file__).parent / "data" / "pdf_reference.npz"

# (element, qmin, qmax, qdamp, biso) of the particles in the reference file (positions are stored in it)
REFERENCE_CASES = [
    ("Pt", 0.7, 25.0, 0.04, 0.3),
    ("Au", 0.7, 15.0, 0.02, 0.6),
    ("Fe", 1.0, 20.0, 0.05, 0.1),
    ("Co", 0.5, 25.0, 0.0, 1.0),
]
REFERENCE_DELTA2 = 2.0
REFERENCE_R = np.round(np.arange(1.0, 30.0 + 1e-9, 0.05), 10)

# Typical measurement parameters (the functions have no defaults: the course's values live in one table)
P = {"qmin": 0.7, "qmax": 25.0, "qdamp": 0.04, "biso": 0.3}
DEBYE = {
    "include_sas": True
}  # the pure Debye-equation convention (DebyeCalculator, DiffPy's DebyePDFCalculator)


def fwhm(r: np.ndarray, g: np.ndarray, lo: float, hi: float) -> float:
    window = (r > lo) & (r < hi)
    rr, gg = r[window], g[window]
    k = int(np.argmax(gg))
    half = gg[k] / 2
    left = np.interp(half, gg[: k + 1], rr[: k + 1])
    right = np.interp(-half, -gg[k:], rr[k:])
    return float(right - left)


def fcc_sphere(element: str, radius: float) -> Atoms:
    """A sphere cut from bulk fcc around an atom (for the baseline tests: its shape function is known)."""
    a = np.sqrt(2) * nearest_neighbour_distance(element)
    n = int(2 * radius / a) + 3
    pos = (bulk(element, "fcc", a=a, cubic=True) * (n, n, n)).get_positions()
    pos -= pos[np.argmin(np.linalg.norm(pos - pos.mean(axis=0), axis=1))]
    inside = pos[np.linalg.norm(pos, axis=1) <= radius]
    return Atoms([element] * len(inside), positions=inside)


@pytest.fixture(scope="module")
def pt_fcc() -> Atoms:
    return make_particle("FCC", "Pt", 2)  # 201 atoms, a truncated octahedron


# --- physics -----------------------------------------------------------------------------------------------


def test_first_peak_of_fcc_pt_at_nearest_neighbour_distance(pt_fcc):
    r = np.arange(1.0, 6.0, 0.01)
    g = compute_pdf(pt_fcc, r, **P)
    assert abs(first_peak_position(g, r, (2.0, 3.3)) - 2.77) <= 0.03
    assert abs(first_peak_position(g, r, (2.0, 3.3)) - nearest_neighbour_distance("Pt")) <= 0.01
    # second shell of fcc at sqrt(2) d_nn
    assert abs(first_peak_position(g, r, (3.6, 4.2)) - np.sqrt(2) * nearest_neighbour_distance("Pt")) <= 0.03


def test_peak_width_grows_with_biso_as_debye_waller_predicts(pt_fcc):
    # pure Debye, qmin = 0 (no baseline) and a high qmax: the first peak is then a Gaussian of variance
    # sigma² = Biso / (4 pi²) (two atoms, each with mean-square displacement U = Biso / (8 pi²))
    r = np.arange(2.0, 3.6, 0.002)
    widths, heights = [], []
    for biso in (0.3, 0.6, 1.2):
        g = compute_pdf(pt_fcc, r, qmin=0.0, qmax=40.0, qdamp=0.0, biso=biso, **DEBYE)
        widths.append(fwhm(r, g, 2.3, 3.3))
        heights.append(g.max())
        sigma2 = (widths[-1] / (2 * np.sqrt(2 * np.log(2)))) ** 2
        assert sigma2 == pytest.approx(biso / (4 * np.pi**2), rel=0.02)
    assert widths[0] < widths[1] < widths[2]
    assert heights[0] > heights[1] > heights[2]


def test_termination_ripples_grow_as_qmax_falls():
    # ripples below the first peak (no pairs at r < 2.2 Å), after removing the smooth baseline
    atoms = make_particle("Icosahedral", "Pt", 1)  # 55 atoms
    r = np.arange(0.3, 2.2, 0.002)
    amplitudes = []
    for qmax in (12.0, 16.0, 20.0, 25.0):
        g = compute_pdf(atoms, r, qmin=0.7, qmax=qmax, qdamp=0.0, biso=0.3)
        residual = g - np.polyval(np.polyfit(r, g, 1), r)
        amplitudes.append(np.sqrt(np.mean(residual**2)))
    assert np.all(np.diff(amplitudes) < 0)
    assert amplitudes[0] > 3 * amplitudes[-1]


def test_qdamp_reduces_high_r_amplitude(pt_fcc):
    r = np.arange(1.0, 25.0, 0.01)
    undamped = compute_pdf(pt_fcc, r, **(P | {"qdamp": 0.0}))
    rms = []
    for qdamp in (0.0, 0.03, 0.06):
        g = compute_pdf(pt_fcc, r, **(P | {"qdamp": qdamp}))
        np.testing.assert_allclose(g, undamped * np.exp(-0.5 * (qdamp * r) ** 2), rtol=1e-12, atol=1e-12)
        rms.append(np.sqrt(np.mean(g[(r > 12) & (r < 20)] ** 2)))
        assert np.abs(g[r < 3]).max() > 0.97 * np.abs(undamped[r < 3]).max()  # low r barely changes
    assert rms[0] > rms[1] > rms[2]
    assert rms[2] < 0.75 * rms[0]


def test_scaling_the_lattice_moves_the_peaks_proportionally(pt_fcc):
    r = np.arange(1.0, 8.0, 0.005)
    scale = 1.05
    d = pdist(pt_fcc.get_positions())
    g = pdf_from_distances(d, len(pt_fcc), r, **P)
    g_scaled = pdf_from_distances(d * scale, len(pt_fcc), r, **P)
    for lo, hi in ((2.0, 3.3), (3.6, 4.3)):
        assert first_peak_position(g_scaled, r, (lo * scale, hi * scale)) == pytest.approx(
            scale * first_peak_position(g, r, (lo, hi)), abs=0.005
        )
    # same as building the strained particle
    strained = make_particle("FCC", "Pt", 2, d_nn=scale * nearest_neighbour_distance("Pt"))
    np.testing.assert_allclose(compute_pdf(strained, r, **P), g_scaled, rtol=0, atol=1e-9 * np.abs(g).max())


def test_dimer_matches_the_gaussian_formula():
    # no termination (qmin = 0, qmax where the Debye-Waller factor is ~0): G(r) is the sum over ordered
    # pairs of Gaussians / d, i.e. for 2 atoms [g(r - d) - g(r + d)] / d, with DiffPy's normalisation
    d, r = 2.77, np.arange(0.5, 12.0, 0.003)
    for biso, qdamp in ((1.0, 0.0), (0.5, 0.03)):
        sigma = np.sqrt(biso / (4 * np.pi**2))
        gauss = np.exp(-((r - d) ** 2) / (2 * sigma**2)) - np.exp(-((r + d) ** 2) / (2 * sigma**2))
        expected = gauss / (np.sqrt(2 * np.pi) * sigma * d) * np.exp(-0.5 * (qdamp * r) ** 2)
        g = pdf_from_distances(np.array([d]), 2, r, qmin=0.0, qmax=60.0, qdamp=qdamp, biso=biso, **DEBYE)
        assert np.abs(g - expected).max() < 1e-3 * expected.max()


@pytest.mark.parametrize(("qmin", "qmax"), [(0.0, 25.0), (0.7, 25.0), (0.7, 12.0), (1.3, 17.3)])
def test_dimer_matches_the_terminated_fourier_integral(qmin, qmax):
    # Biso = 0: G(r) = (2/pi) ∫_qmin^qmax sin(Qd)/d sin(Qr) dQ, in closed form
    d, r = 2.77, np.arange(0.5, 12.0, 0.003)

    def part(x):
        return (np.sin(qmax * x) - np.sin(qmin * x)) / x

    expected = (part(r - d) - part(r + d)) / (np.pi * d)
    g = pdf_from_distances(np.array([d]), 2, r, qmin=qmin, qmax=qmax, qdamp=0.0, biso=0.0, **DEBYE)
    assert np.abs(g - expected).max() < 5e-3 * np.abs(expected).max()


def exact_pdf(atoms, r, qmin, qmax, qdamp, biso, delta2=0.0, include_sas=True, dq=0.005):
    """Brute force: exact sin(Q d) for every pair, its own width σ√(1 - δ2/d²), on a fine Q grid (midpoint
    rule), then the sine transform; with include_sas=False the smeared-density term of the module docstring."""
    d, w = pair_distances(atoms.get_positions())
    n = len(atoms)
    q = np.arange(qmin + dq / 2, qmax, dq)
    sigma2 = biso / (4 * np.pi**2) * (1 - delta2 / d**2)
    f = (2 / n) * ((np.sin(np.outer(q, d)) * w / d) * np.exp(-0.5 * np.outer(q**2, sigma2))).sum(axis=1)
    if not include_sas:
        smear = np.exp(-((pdf_module.SAS_WIDTH * q) ** 2))
        f -= smear * ((2 / n) * (np.sin(np.outer(q, d)) * w / d).sum(axis=1) + q)
    return (2 / np.pi) * (np.sin(np.outer(r, q)) @ (f * dq)) * np.exp(-0.5 * (qdamp * r) ** 2)


@pytest.mark.parametrize("include_sas", [True, False], ids=["debye", "sas-removed"])
def test_matches_an_exact_pair_by_pair_sum(include_sas):
    atoms = make_particle("Icosahedral", "Pt", 1)  # 55 atoms
    r = np.arange(1.0, 15.0, 0.02)
    kwargs = {"qmin": 0.7, "qmax": 20.0, "qdamp": 0.02, "biso": 0.4, "include_sas": include_sas}
    expected = exact_pdf(atoms, r, **kwargs)
    g = compute_pdf(atoms, r, **kwargs)
    assert np.corrcoef(g, expected)[0, 1] > 0.99999
    assert np.abs(g - expected).max() < 2e-3 * np.abs(expected).max()


# --- correlated motion (delta2) ------------------------------------------------------------------------------


@pytest.mark.parametrize(("structure_type", "size"), [("FCC", 2), ("Icosahedral", 3)])
@pytest.mark.parametrize(("biso", "delta2"), [(0.3, 2.0), (0.3, 4.0), (1.0, 2.0), (1.0, 4.0)])
def test_delta2_matches_an_exact_pair_by_pair_gaussian_sum(structure_type, size, biso, delta2):
    # every pair with its own width σ√(1 - δ2/r²) (PDFfit2's delta2), against the distance bands of helpers.pdf
    atoms = make_particle(structure_type, "Pt", size)
    r = np.arange(1.0, 25.0, 0.02)
    kwargs = {"qmin": 0.7, "qmax": 25.0, "qdamp": 0.0, "biso": biso, "delta2": delta2, "include_sas": True}
    expected = exact_pdf(atoms, r, **kwargs, dq=0.004)
    g = compute_pdf(atoms, r, **kwargs)
    assert np.abs(g - expected).max() < 5e-3 * np.abs(expected).max()


def test_delta2_zero_is_exactly_the_uncorrelated_result(pt_fcc):
    r = np.arange(1.0, 30.0, 0.05)
    for extra in ({}, DEBYE):
        np.testing.assert_array_equal(
            compute_pdf(pt_fcc, r, **P, **extra, delta2=0.0), compute_pdf(pt_fcc, r, **P, **extra)
        )


def test_delta2_sharpens_the_first_peak_most(pt_fcc):
    r = np.arange(1.0, 12.0, 0.005)
    peaks_only = P | {"qmin": 0.0} | DEBYE  # peak heights on a zero baseline
    g0 = compute_pdf(pt_fcc, r, **peaks_only)
    g2 = compute_pdf(pt_fcc, r, **peaks_only, delta2=2.0)
    first = (2.4, 3.2)
    far = (np.sqrt(6) * 2.77 - 0.3, np.sqrt(6) * 2.77 + 0.3)  # the fifth fcc shell, at √6 d_nn = 6.8 Å
    ratio_first = g2[(r > first[0]) & (r < first[1])].max() / g0[(r > first[0]) & (r < first[1])].max()
    ratio_far = g2[(r > far[0]) & (r < far[1])].max() / g0[(r > far[0]) & (r < far[1])].max()
    assert ratio_first > 1.08  # visibly sharper: 1.14 for FCC Pt at Biso 0.3, Qmax 25
    assert ratio_first > ratio_far > 1.0
    assert fwhm(r, g2, *first) < 0.95 * fwhm(r, g0, *first)
    assert first_peak_position(g2, r, first) == pytest.approx(
        first_peak_position(g0, r, first), abs=0.002
    )  # moves nowhere


def test_delta2_does_nothing_without_thermal_motion(pt_fcc):
    r = np.arange(1.0, 10.0, 0.05)
    np.testing.assert_array_equal(
        compute_pdf(pt_fcc, r, **(P | {"biso": 0.0}), delta2=3.0),
        compute_pdf(pt_fcc, r, **(P | {"biso": 0.0})),
    )


def test_delta2_must_stay_below_the_squared_shortest_distance(pt_fcc):
    d_nn = nearest_neighbour_distance("Pt")
    with pytest.raises(ValueError, match=r"delta2 must be smaller than the squared shortest distance"):
        compute_pdf(pt_fcc, R, **P, delta2=d_nn**2 + 0.1)
    compute_pdf(pt_fcc, R, **P, delta2=0.9 * d_nn**2)  # just below is fine


# --- the small-angle baseline ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pt_sphere() -> Atoms:
    return fcc_sphere("Pt", 15.0)  # 30 Å across, 959 atoms


def test_sas_removed_gives_the_baseline_of_a_sphere_whatever_qmin(pt_sphere):
    # the exact G of a sphere: the Debye result without the SAS (qmin = 0, include_sas=True) minus
    # 4 pi rho0 r gamma0(r), with gamma0(r) = 1 - 3r/2D + r³/2D³ the shape function of a sphere of diameter D
    r = np.arange(0.01, 30.0, 0.01)
    kwargs = {"qmax": 30.0, "qdamp": 0.0, "biso": 0.5}
    rho0 = 4 / (np.sqrt(2) * nearest_neighbour_distance("Pt")) ** 3
    diameter = 2 * (3 * len(pt_sphere) / (4 * np.pi * rho0)) ** (1 / 3)
    gamma0 = 1 - 1.5 * r / diameter + 0.5 * (r / diameter) ** 3
    exact = compute_pdf(pt_sphere, r, qmin=0.0, **kwargs, **DEBYE) - 4 * np.pi * rho0 * r * gamma0
    peak = exact.max()
    for qmin in (0.0, 0.7):
        g = compute_pdf(pt_sphere, r, qmin=qmin, **kwargs)
        assert np.abs(g - exact).max() < 0.015 * peak, qmin
    # below the first peak the baseline falls as -4 pi rho0 r gamma0(r) (bulk platinum: slope -0.83 Å⁻³)
    below = (r > 0.5) & (r < 2.0)
    slope = np.polyfit(r[below], compute_pdf(pt_sphere, r, qmin=0.0, **kwargs)[below], 1)[0]
    assert slope == pytest.approx(np.polyfit(r[below], exact[below], 1)[0], rel=0.06)
    assert -4 * np.pi * rho0 < slope < -0.8 * np.pi * rho0 * 4 * (1 - 1.5 * 2.0 / diameter)


def test_pure_debye_has_no_baseline_at_qmin_zero_and_agrees_at_qmin_07(pt_sphere):
    r = np.arange(0.5, 2.0, 0.01)  # below the first peak: no pairs there
    kwargs = {"qmax": 30.0, "qdamp": 0.0, "biso": 0.5}
    no_baseline = compute_pdf(pt_sphere, r, qmin=0.0, **kwargs, **DEBYE)
    with_baseline = compute_pdf(pt_sphere, r, qmin=0.0, **kwargs)
    assert (
        np.abs(no_baseline).max() < 0.1 * np.abs(with_baseline).max()
    )  # the trap of copying a header's qmin
    # for a 30 Å particle the Qmin cut at 0.7 removes the SAS too: the conventions agree
    rr = np.arange(1.0, 30.0, 0.01)
    a = compute_pdf(pt_sphere, rr, qmin=0.7, **kwargs, **DEBYE)
    b = compute_pdf(pt_sphere, rr, qmin=0.7, **kwargs)
    assert np.abs(a - b).max() < 0.01 * a.max()


def test_first_shell_area_is_the_coordination_number(pt_fcc):
    # DiffPy normalisation: with qmin = 0 the area under r G(r) over the first peak is the mean number of
    # nearest neighbours (DebyeCalculator's convention would give half)
    d = pdist(pt_fcc.get_positions())
    coordination = 2 * np.count_nonzero(d < 1.2 * nearest_neighbour_distance("Pt")) / len(pt_fcc)
    r = np.arange(2.3, 3.25, 0.002)
    g = compute_pdf(pt_fcc, r, qmin=0.0, qmax=40.0, qdamp=0.0, biso=0.3, **DEBYE)
    assert np.trapezoid(r * g, r) == pytest.approx(coordination, rel=0.01)


# --- distinct distances with multiplicities ---------------------------------------------------------------------


@pytest.mark.parametrize(("structure_type", "size"), [("FCC", 3), ("Decahedral", 2), ("HCP", 2)])
def test_distinct_distances_give_the_same_pdf(structure_type, size):
    atoms = make_particle(structure_type, "Au", size)
    distances, weights = pair_distances(atoms.get_positions())
    n = len(atoms)
    assert weights.sum() == n * (n - 1) // 2 and np.all(np.diff(distances) > 0)
    assert (
        len(distances) < n * (n - 1) // 20
    )  # a perfect particle has far fewer distinct distances than pairs
    r = np.arange(1.0, 30.0, 0.05)
    for physics in ({}, {"delta2": 2.0}, DEBYE):
        g = pdf_from_distances(distances, n, r, weights=weights, **P, **physics)
        expected = compute_pdf(atoms, r, **P, **physics)
        assert np.abs(g - expected).max() < 1e-9 * np.abs(expected).max()


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.array([1.0, 1.0]), "weights must sum to"),
        (np.array([2.5, 0.5]), "non-negative whole numbers"),
        (np.array([4.0, -1.0]), "non-negative whole numbers"),
        (np.array([3.0]), "weights must have the shape of distances"),
        (["a", "b"], "weights must be a 1-D array"),
    ],
)
def test_bad_weights_raise_value_error(weights, match):
    with pytest.raises(ValueError, match=match):
        pdf_from_distances(np.array([2.5, 4.0]), 3, R, weights=weights, **P)


def test_pair_distances_refuses_bad_positions():
    with pytest.raises(ValueError, match=r"positions must be an \(N, 3\) array"):
        pair_distances(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="distances must all be positive"):
        pair_distances(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="finite"):
        pair_distances([[0, 0, 0], [0, 0, np.nan]])
    with pytest.raises(TypeError, match="positions must be"):
        pair_distances([["a", 1, 2], [0, 0, 0]])


# --- general properties ------------------------------------------------------------------------------------------


def test_deterministic_and_inputs_untouched(pt_fcc):
    d = pdist(pt_fcc.get_positions())
    d_copy, r = d.copy(), np.arange(1.0, 30.0, 0.1)
    r_copy = r.copy()
    kwargs = {"qmin": 0.7, "qmax": 13.3, "qdamp": 0.011, "biso": 0.77, "delta2": 1.5}
    first = pdf_from_distances(d, len(pt_fcc), r, **kwargs)
    pdf_from_distances(d * 1.1, len(pt_fcc), r, **P)  # a different call in between
    second = pdf_from_distances(d, len(pt_fcc), r, **kwargs)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(d, d_copy)
    np.testing.assert_array_equal(r, r_copy)


@pytest.mark.parametrize("delta2", [0.0, 2.0])
def test_scaled_pdf_is_pdf_from_distances_bit_for_bit(delta2):
    atoms = make_particle("Decahedral", "Au", 3)
    d, w = pair_distances(atoms.get_positions() / nearest_neighbour_distance("Au"))
    n = len(atoms)
    r = np.arange(1.5, 20.0, 0.05)
    g = scaled_pdf(d, n, r, weights=w, qmin=0.7, qmax=22.0)
    for scale in (2.5, 2.884, 3.1):
        expected = pdf_from_distances(
            d * scale, n, r, weights=w, qmin=0.7, qmax=22.0, qdamp=0.03, biso=0.6, delta2=delta2
        )
        assert np.array_equal(g(scale, qdamp=0.03, biso=0.6, delta2=delta2), expected)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"scale": 0.0}, "scale"),
        ({"scale": float("nan")}, "scale"),
        ({"biso": -1.0}, "biso"),
        ({"qdamp": "0.03"}, "qdamp"),
    ],
)
def test_scaled_pdf_checks_every_call(kwargs, match):
    g = scaled_pdf(
        np.array([1.0, 1.5]), 3, np.arange(1.0, 10.0, 0.05), weights=[2.0, 1.0], qmin=0.7, qmax=22.0
    )
    args = {"scale": 2.8, "qdamp": 0.03, "biso": 0.5} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        g(args.pop("scale"), **args)


def test_a_shortest_distance_of_multiplicity_zero_is_no_pair():
    # delta2 = 2 Å² is allowed for the real pairs (d² = 6.25) but not for the empty 1 Å entry (d² = 1)
    r, kwargs = (
        np.arange(1.0, 10.0, 0.05),
        {"qmin": 0.7, "qmax": 22.0, "qdamp": 0.03, "biso": 0.5, "delta2": 2.0},
    )
    g = pdf_from_distances(np.array([1.0, 2.5]), 2, r, weights=[0.0, 1.0], **kwargs)
    np.testing.assert_array_equal(g, pdf_from_distances(np.array([2.5]), 2, r, **kwargs))


def test_long_r_grid_without_cache_matches_cached():
    d = pdist(make_particle("Octahedral", "Pt", 1).get_positions())
    r = np.linspace(0.0, 20.0, 40001)  # more points than the cached interpolation handles
    np.testing.assert_allclose(
        pdf_from_distances(d, 44, r, **P)[::1000], pdf_from_distances(d, 44, r[::1000], **P)
    )


def test_order_of_the_distances_does_not_matter():
    d = pdist(make_particle("Icosahedral", "Pt", 4).get_positions())  # 561 atoms, several chunks
    r = np.arange(1.0, 30.0, 0.1)
    expected = pdf_from_distances(d, 561, r, **P)
    for reordered in (np.sort(d), np.sort(d)[::-1], np.random.default_rng(0).permutation(d)):
        np.testing.assert_array_equal(pdf_from_distances(reordered, 561, r, **P), expected)


def test_accepts_lists_and_r_starting_at_zero():
    g = pdf_from_distances([2.5, 2.5, 2.5], 3, [0.0, 1.0, 2.5], **(P | {"qmax": 20}), **DEBYE)
    assert g.shape == (3,) and g[0] == pytest.approx(0.0, abs=1e-9) and g[2] > g[1]


# --- errors ------------------------------------------------------------------------------------------------

R = np.arange(1.0, 10.0, 0.1)
DIMER = np.array([2.5])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"qmin": 25.0, "qmax": 25.0}, ValueError, "qmin must be smaller than qmax"),
        ({"qmin": 30.0}, ValueError, "qmin must be smaller than qmax"),
        ({"qmin": -0.1}, ValueError, "qmin must be >= 0"),
        ({"qmax": 150.0}, ValueError, "qmax must be <= 100"),
        ({"qmax": float("nan")}, ValueError, "qmax must be finite"),
        ({"qmax": "25"}, TypeError, "qmax must be a number, got '25'"),  # a string is not a number
        ({"qmax": None}, TypeError, "qmax must be a number"),
        ({"qdamp": -0.01}, ValueError, "qdamp must be >= 0"),
        ({"qdamp": float("inf")}, ValueError, "qdamp must be finite"),
        ({"biso": -0.3}, ValueError, "biso must be >= 0"),
        ({"biso": True}, TypeError, "biso must be a number"),
        ({"biso": "0.3"}, TypeError, "biso must be a number"),
        ({"delta2": -1.0}, ValueError, "delta2 must be >= 0"),
        ({"delta2": "2"}, TypeError, "delta2 must be a number"),
        ({"include_sas": "yes"}, TypeError, "include_sas must be True or False"),
    ],
)
def test_bad_parameters_raise_a_clear_error(kwargs, error, match):
    with pytest.raises(error, match=match):
        pdf_from_distances(DIMER, 2, R, **(P | kwargs))
    with pytest.raises(error, match=match):
        compute_pdf(Atoms("Pt2", positions=[[0, 0, 0], [0, 0, 2.5]]), R, **(P | kwargs))


def test_the_instrument_parameters_must_be_given():
    with pytest.raises(TypeError, match="qmax"):
        pdf_from_distances(DIMER, 2, R, qmin=0.7, qdamp=0.04, biso=0.3)


@pytest.mark.parametrize(
    ("r", "match"),
    [
        (np.ones((3, 3)), "r must be a non-empty 1-D array"),
        (np.array([]), "r must be a non-empty 1-D array"),
        (5.0, "r must be a non-empty 1-D array"),
        (np.array([1.0, np.nan, 3.0]), "r must contain only finite values"),
        (np.array([1.0, np.inf]), "r must contain only finite values"),
        (np.array([3.0, 2.0, 1.0]), "r must be strictly increasing"),
        (np.array([1.0, 1.0, 2.0]), "r must be strictly increasing"),
        (np.array([-1.0, 0.0, 1.0]), "r must be non-negative"),
        (["a", "b"], "r must be a 1-D array"),
        (np.array([1.0, 1e6]), "too fine a grid"),
    ],
)
def test_bad_r_raises_value_error(r, match):
    with pytest.raises(ValueError, match=match):
        pdf_from_distances(DIMER, 2, r, **P)


@pytest.mark.parametrize(
    ("distances", "n_atoms", "error", "match"),
    [
        (DIMER, 1, ValueError, "n_atoms must be >= 2"),
        (DIMER, 2.0, TypeError, "n_atoms must be an integer"),
        (DIMER, True, TypeError, "n_atoms must be an integer"),
        (np.array([2.5, 2.5]), 2, ValueError, "distances must have .* = 1 entries"),
        (np.ones((3, 3)), 3, ValueError, "distances must be 1-D"),
        (np.array([0.0]), 2, ValueError, "distances must all be positive"),
        (np.array([2.5, -1.0, 2.5]), 3, ValueError, "distances must all be positive"),
        (np.array([np.nan]), 2, ValueError, "distances must all be positive and finite"),
        (np.array([np.inf]), 2, ValueError, "distances must all be positive and finite"),
        (["x"], 2, ValueError, "distances must be a 1-D array"),
        (np.array([2.5e5]), 2, ValueError, "distances must be shorter than"),
    ],
)
def test_bad_distances_raise_a_clear_error(distances, n_atoms, error, match):
    with pytest.raises(error, match=match):
        pdf_from_distances(distances, n_atoms, R, **P)


@pytest.mark.parametrize(
    ("atoms", "error", "match"),
    [
        (Atoms(), ValueError, "at least 2 atoms"),
        (Atoms("Pt", positions=[[0, 0, 0]]), ValueError, "at least 2 atoms"),
        (Atoms("PtAu", positions=[[0, 0, 0], [0, 0, 2.8]]), ValueError, "single element"),
        (Atoms("Pt2", positions=[[0, 0, 0], [0, 0, 0]]), ValueError, "distances must all be positive"),
        (
            Atoms("Pt3", positions=[[0, 0, 0], [0, 0, 2.5], [0, 0, 0]]),
            ValueError,
            "distances must all be positive",
        ),
        (Atoms("Pt2", positions=[[0, 0, 0], [0, 0, np.nan]]), ValueError, "non-finite"),
        (np.zeros((5, 3)), TypeError, "atoms must be an ase.Atoms"),
    ],
)
def test_bad_atoms_raise_a_clear_error(atoms, error, match):
    with pytest.raises(error, match=match):
        compute_pdf(atoms, R, **P)


# --- regression against the stored reference ---------------------------------------------------------------


def _reference_atoms(reference, index: int) -> Atoms:
    symbol = str(reference["symbols"][index])
    positions = reference[f"positions_{index}"]
    return Atoms(symbol + str(len(positions)), positions=positions)


def test_matches_stored_reference():
    reference = np.load(REFERENCE, allow_pickle=False)
    r = reference["r"]
    for index, (qmin, qmax, qdamp, biso) in enumerate(reference["parameters"]):
        atoms = _reference_atoms(reference, index)
        kwargs = {"qmin": qmin, "qmax": qmax, "qdamp": qdamp, "biso": biso}
        for key, physics in (("g", DEBYE), ("g_measured", {"delta2": REFERENCE_DELTA2})):
            expected = reference[key][index]
            g = compute_pdf(atoms, r, **kwargs, **physics)
            np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())


def _make_reference(path: Path = REFERENCE) -> None:
    """Add the default-convention curves to the reference, keeping its particles and its Debye curves."""
    old = dict(np.load(path, allow_pickle=False))
    curves = []
    for index, (qmin, qmax, qdamp, biso) in enumerate(old["parameters"]):
        atoms = _reference_atoms(old, index)
        kwargs = {"qmin": qmin, "qmax": qmax, "qdamp": qdamp, "biso": biso}
        curves.append(compute_pdf(atoms, old["r"], **kwargs, delta2=REFERENCE_DELTA2))
    old["g_measured"] = np.array(curves)
    with path.open("wb") as handle:
        np.savez_compressed(handle, **old)


if __name__ == "__main__":
    _make_reference()
    print(f"wrote {REFERENCE} ({REFERENCE.stat().st_size} bytes)")
