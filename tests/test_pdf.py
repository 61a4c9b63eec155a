"""Tests of helpers.pdf: physics (peak positions, widths, termination, damping, normalisation), agreement
with exact formulas, argument errors, and a fixed regression reference (tests/data/pdf_reference.npz).

The reference was made with :func:`_make_reference` (run ``python tests/test_pdf.py``) after checking the
same particles against DebyeCalculator 1.1.1 run with a fine Q step of 0.005 Å⁻¹ (Pearson r > 0.99998,
amplitude ratio 2.00: helpers.pdf counts ordered pairs as DiffPy does, DebyeCalculator unordered ones);
see benchmarks/pdf_vs_debyecalculator.py for the full comparison.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from scipy.spatial.distance import pdist

from helpers import pdf as pdf_module
from helpers.pdf import compute_pdf, pdf_from_distances
from helpers.structures import make_particle, nearest_neighbour_distance

REFERENCE = Path(__file__).parent / "data" / "pdf_reference.npz"

# (structure type, element, size, qmin, qmax, qdamp, biso) of the particles in the reference file
REFERENCE_CASES = [
    ("FCC", "Pt", 3, 0.7, 25.0, 0.04, 0.3),
    ("Icosahedral", "Au", 3, 0.7, 15.0, 0.02, 0.6),
    ("BCC", "Fe", 5, 1.0, 20.0, 0.05, 0.1),
    ("HCP", "Co", 1, 0.5, 25.0, 0.0, 1.0),
]
REFERENCE_R = np.round(np.arange(1.0, 30.0 + 1e-9, 0.05), 10)


def first_peak(r: np.ndarray, g: np.ndarray, lo: float, hi: float) -> float:
    """Position of the maximum of g in lo < r < hi, refined by a parabola through the top three points."""
    window = np.flatnonzero((r > lo) & (r < hi))
    k = window[np.argmax(g[window])]
    y0, y1, y2 = g[k - 1 : k + 2]
    return float(r[k] + 0.5 * (r[1] - r[0]) * (y0 - y2) / (y0 - 2 * y1 + y2))


def fwhm(r: np.ndarray, g: np.ndarray, lo: float, hi: float) -> float:
    window = (r > lo) & (r < hi)
    rr, gg = r[window], g[window]
    k = int(np.argmax(gg))
    half = gg[k] / 2
    left = np.interp(half, gg[: k + 1], rr[: k + 1])
    right = np.interp(-half, -gg[k:], rr[k:])
    return float(right - left)


@pytest.fixture(scope="module")
def pt_fcc() -> Atoms:
    return make_particle("FCC", "Pt", 5)  # 165 atoms


# --- physics -----------------------------------------------------------------------------------------------


def test_first_peak_of_fcc_pt_at_nearest_neighbour_distance(pt_fcc):
    r = np.arange(1.0, 6.0, 0.01)
    g = compute_pdf(pt_fcc, r)
    assert abs(first_peak(r, g, 2.0, 3.3) - 2.77) <= 0.03
    assert abs(first_peak(r, g, 2.0, 3.3) - nearest_neighbour_distance("Pt")) <= 0.01
    # second shell of fcc at sqrt(2) d_nn
    assert abs(first_peak(r, g, 3.6, 4.2) - np.sqrt(2) * nearest_neighbour_distance("Pt")) <= 0.03


def test_peak_width_grows_with_biso_as_debye_waller_predicts(pt_fcc):
    # qmin = 0 (no small-angle baseline) and a high qmax: the first peak is then a Gaussian of variance
    # sigma² = Biso / (4 pi²) (two atoms, each with mean-square displacement U = Biso / (8 pi²))
    r = np.arange(2.0, 3.6, 0.002)
    widths, heights = [], []
    for biso in (0.3, 0.6, 1.2):
        g = compute_pdf(pt_fcc, r, qmin=0.0, qmax=40.0, qdamp=0.0, biso=biso)
        widths.append(fwhm(r, g, 2.3, 3.3))
        heights.append(g.max())
        sigma2 = (widths[-1] / (2 * np.sqrt(2 * np.log(2)))) ** 2
        assert sigma2 == pytest.approx(biso / (4 * np.pi**2), rel=0.02)
    assert widths[0] < widths[1] < widths[2]
    assert heights[0] > heights[1] > heights[2]


def test_termination_ripples_grow_as_qmax_falls():
    # ripples below the first peak (no pairs at r < 2.2 Å), after removing the smooth baseline
    atoms = make_particle("Icosahedral", "Pt", 2)  # 13 atoms
    r = np.arange(0.3, 2.2, 0.002)
    amplitudes = []
    for qmax in (12.0, 16.0, 20.0, 25.0):
        g = compute_pdf(atoms, r, qmax=qmax, qdamp=0.0, biso=0.3)
        residual = g - np.polyval(np.polyfit(r, g, 1), r)
        amplitudes.append(np.sqrt(np.mean(residual**2)))
    assert np.all(np.diff(amplitudes) < 0)
    assert amplitudes[0] > 3 * amplitudes[-1]


def test_qdamp_reduces_high_r_amplitude(pt_fcc):
    r = np.arange(1.0, 25.0, 0.01)
    undamped = compute_pdf(pt_fcc, r, qdamp=0.0)
    rms = []
    for qdamp in (0.0, 0.03, 0.06):
        g = compute_pdf(pt_fcc, r, qdamp=qdamp)
        np.testing.assert_allclose(g, undamped * np.exp(-0.5 * (qdamp * r) ** 2), rtol=1e-12, atol=1e-12)
        rms.append(np.sqrt(np.mean(g[(r > 12) & (r < 20)] ** 2)))
        assert np.abs(g[r < 3]).max() > 0.97 * np.abs(undamped[r < 3]).max()  # low r barely changes
    assert rms[0] > rms[1] > rms[2]
    assert rms[2] < 0.75 * rms[0]


def test_scaling_the_lattice_moves_the_peaks_proportionally(pt_fcc):
    r = np.arange(1.0, 8.0, 0.005)
    scale = 1.05
    d = pdist(pt_fcc.get_positions())
    g = pdf_from_distances(d, len(pt_fcc), r)
    g_scaled = pdf_from_distances(d * scale, len(pt_fcc), r)
    for lo, hi in ((2.0, 3.3), (3.6, 4.3)):
        assert first_peak(r, g_scaled, lo * scale, hi * scale) == pytest.approx(
            scale * first_peak(r, g, lo, hi), abs=0.005
        )
    # same as building the strained particle
    strained = make_particle("FCC", "Pt", 5, d_nn=scale * nearest_neighbour_distance("Pt"))
    np.testing.assert_allclose(compute_pdf(strained, r), g_scaled, rtol=0, atol=1e-9 * np.abs(g).max())


@pytest.mark.parametrize(("structure_type", "size"), [("FCC", 5), ("Icosahedral", 6)])  # 165 and 561 atoms
def test_compute_pdf_equals_pdf_from_distances_on_pdist(structure_type, size):
    atoms = make_particle(structure_type, "Pt", size)
    r = np.arange(1.0, 30.0, 0.1)
    kwargs = {"qmin": 0.9, "qmax": 18.0, "qdamp": 0.03, "biso": 0.5}
    expected = pdf_from_distances(pdist(atoms.get_positions()), len(atoms), r, **kwargs)
    result = compute_pdf(atoms, r, **kwargs)
    assert result.shape == r.shape and result.dtype == np.float64
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("threaded", [False, True], ids=["one-thread", "threaded"])
@pytest.mark.parametrize("shift", [-1e-9, 0.0, 1e-9])
def test_compute_pdf_equals_pdf_from_distances_at_a_grid_length_threshold(shift, threaded, monkeypatch):
    # max(r) = 34 Å - longest distance is where the internal grid length jumps from 32 to 48 Å; there
    # the longest distance itself is needed, not only its sub-bin (also in the threaded pair count)
    if threaded:
        monkeypatch.setattr(pdf_module, "_PARALLEL_PAIRS", 1)
        monkeypatch.setattr(pdf_module, "_workers", lambda: 2)
    atoms = make_particle("FCC", "Pt", 4)
    d = pdist(atoms.get_positions())
    r = np.array([1.0, 2.77, 34.0 - d.max() + shift])
    np.testing.assert_array_equal(compute_pdf(atoms, r), pdf_from_distances(d, len(atoms), r))


def test_threaded_pair_count_of_a_large_particle_equals_the_one_thread_result():
    # 1163 atoms (676 000 pairs): above the threshold, so the pairs are counted in blocks by threads
    atoms = make_particle("FCC", "Pt", 10)
    assert len(atoms) * (len(atoms) - 1) // 2 >= pdf_module._PARALLEL_PAIRS
    r = np.arange(1.0, 30.0, 0.05)
    expected = pdf_from_distances(pdist(atoms.get_positions()), len(atoms), r)
    np.testing.assert_array_equal(compute_pdf(atoms, r), expected)


@pytest.mark.parametrize("workers", [2, 3])
def test_threaded_pair_count_with_uneven_blocks_is_exact(monkeypatch, workers):
    # small blocks (last one shorter) and more threads than cores: every pair must still be counted once
    monkeypatch.setattr(pdf_module, "_PARALLEL_PAIRS", 1)
    monkeypatch.setattr(pdf_module, "_BLOCK_ATOMS", 50)
    monkeypatch.setattr(pdf_module, "_workers", lambda: workers)
    atoms = make_particle("Icosahedral", "Au", 5)  # 309 atoms: 6 full blocks and one of 9 atoms
    r = np.arange(1.0, 30.0, 0.05)
    expected = pdf_from_distances(pdist(atoms.get_positions()), len(atoms), r)
    np.testing.assert_array_equal(compute_pdf(atoms, r), expected)


def test_threaded_pair_count_finds_two_atoms_on_top_of_each_other(monkeypatch):
    monkeypatch.setattr(pdf_module, "_PARALLEL_PAIRS", 1)
    monkeypatch.setattr(pdf_module, "_workers", lambda: 2)
    atoms = make_particle("FCC", "Pt", 4)
    atoms.positions[-1] = atoms.positions[3]
    with pytest.raises(ValueError, match="distances must all be positive"):
        compute_pdf(atoms, R)


def test_thread_pool_is_made_again_in_a_forked_child(monkeypatch):
    pool = pdf_module._thread_pool()
    assert pdf_module._thread_pool() is pool  # kept between calls
    monkeypatch.setattr(pdf_module, "_POOL", (-1, pool))  # as a forked child (another pid) would see it
    assert pdf_module._thread_pool() is not pool


def test_dimer_matches_the_gaussian_formula():
    # no termination (qmin = 0, qmax where the Debye-Waller factor is ~0): G(r) is the sum over ordered
    # pairs of Gaussians / d, i.e. for 2 atoms [g(r - d) - g(r + d)] / d, with DiffPy's normalisation
    d, r = 2.77, np.arange(0.5, 12.0, 0.003)
    for biso, qdamp in ((1.0, 0.0), (0.5, 0.03)):
        sigma = np.sqrt(biso / (4 * np.pi**2))
        gauss = np.exp(-((r - d) ** 2) / (2 * sigma**2)) - np.exp(-((r + d) ** 2) / (2 * sigma**2))
        expected = gauss / (np.sqrt(2 * np.pi) * sigma * d) * np.exp(-0.5 * (qdamp * r) ** 2)
        g = pdf_from_distances(np.array([d]), 2, r, qmin=0.0, qmax=60.0, qdamp=qdamp, biso=biso)
        assert np.abs(g - expected).max() < 1e-3 * expected.max()


@pytest.mark.parametrize(("qmin", "qmax"), [(0.0, 25.0), (0.7, 25.0), (0.7, 12.0), (1.3, 17.3)])
def test_dimer_matches_the_terminated_fourier_integral(qmin, qmax):
    # Biso = 0: G(r) = (2/pi) ∫_qmin^qmax sin(Qd)/d sin(Qr) dQ, in closed form
    d, r = 2.77, np.arange(0.5, 12.0, 0.003)

    def part(x):
        return (np.sin(qmax * x) - np.sin(qmin * x)) / x

    expected = (part(r - d) - part(r + d)) / (np.pi * d)
    g = pdf_from_distances(np.array([d]), 2, r, qmin=qmin, qmax=qmax, qdamp=0.0, biso=0.0)
    assert np.abs(g - expected).max() < 5e-3 * np.abs(expected).max()


def test_matches_an_exact_pair_by_pair_sum():
    # brute force: exact sin(Q d) for every pair on a fine Q grid (midpoint rule), then the sine transform
    atoms = make_particle("Icosahedral", "Pt", 3)  # 55 atoms
    d = pdist(atoms.get_positions())
    r = np.arange(1.0, 15.0, 0.02)
    qmin, qmax, qdamp, biso, dq = 0.7, 20.0, 0.02, 0.4, 0.005
    q = np.arange(qmin + dq / 2, qmax, dq)
    f = (2 / len(atoms)) * (np.sin(np.outer(q, d)) / d).sum(axis=1) * np.exp(-biso * q**2 / (8 * np.pi**2))
    expected = (2 / np.pi) * (np.sin(np.outer(r, q)) @ (f * dq)) * np.exp(-0.5 * (qdamp * r) ** 2)
    g = compute_pdf(atoms, r, qmin=qmin, qmax=qmax, qdamp=qdamp, biso=biso)
    assert np.corrcoef(g, expected)[0, 1] > 0.99999
    assert np.abs(g - expected).max() < 2e-3 * np.abs(expected).max()


def test_first_shell_area_is_the_coordination_number(pt_fcc):
    # DiffPy normalisation: with qmin = 0 the area under r G(r) over the first peak is the mean number of
    # nearest neighbours (DebyeCalculator's convention would give half)
    d = pdist(pt_fcc.get_positions())
    coordination = 2 * np.count_nonzero(d < 1.2 * nearest_neighbour_distance("Pt")) / len(pt_fcc)
    r = np.arange(2.3, 3.25, 0.002)
    g = compute_pdf(pt_fcc, r, qmin=0.0, qmax=40.0, qdamp=0.0, biso=0.3)
    assert np.trapezoid(r * g, r) == pytest.approx(coordination, rel=0.01)


def test_deterministic_and_inputs_untouched(pt_fcc):
    d = pdist(pt_fcc.get_positions())
    d_copy, r = d.copy(), np.arange(1.0, 30.0, 0.1)
    r_copy = r.copy()
    first = pdf_from_distances(d, len(pt_fcc), r, qmax=13.3, qdamp=0.011, biso=0.77)
    pdf_from_distances(d * 1.1, len(pt_fcc), r)  # a different call in between
    second = pdf_from_distances(d, len(pt_fcc), r, qmax=13.3, qdamp=0.011, biso=0.77)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(d, d_copy)
    np.testing.assert_array_equal(r, r_copy)


def test_long_r_grid_without_cache_matches_cached():
    d = pdist(make_particle("FCC", "Pt", 3).get_positions())
    r = np.linspace(0.0, 20.0, 40001)  # more points than the cached interpolation handles
    np.testing.assert_allclose(pdf_from_distances(d, 43, r)[::1000], pdf_from_distances(d, 43, r[::1000]))


def test_order_of_the_distances_does_not_matter():
    d = pdist(make_particle("Icosahedral", "Pt", 6).get_positions())  # 561 atoms, several chunks
    r = np.arange(1.0, 30.0, 0.1)
    expected = pdf_from_distances(d, 561, r)
    for reordered in (np.sort(d), np.sort(d)[::-1], np.random.default_rng(0).permutation(d)):
        np.testing.assert_array_equal(pdf_from_distances(reordered, 561, r), expected)


def test_accepts_lists_and_r_starting_at_zero():
    g = pdf_from_distances([2.5, 2.5, 2.5], 3, [0.0, 1.0, 2.5], qmax=20)
    assert g.shape == (3,) and g[0] == pytest.approx(0.0, abs=1e-9) and g[2] > g[1]


# --- errors ------------------------------------------------------------------------------------------------

R = np.arange(1.0, 10.0, 0.1)
DIMER = np.array([2.5])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"qmin": 25.0, "qmax": 25.0}, "qmin must be smaller than qmax"),
        ({"qmin": 30.0}, "qmin must be smaller than qmax"),
        ({"qmin": -0.1}, "qmin must be >= 0"),
        ({"qmax": 150.0}, "qmax must be at most"),
        ({"qmax": float("nan")}, "qmax must be finite"),
        ({"qmax": "25"}, None),  # a numeric string is accepted
        ({"qmax": "high"}, "qmax must be a number"),
        ({"qmax": None}, "qmax must be a number"),
        ({"qdamp": -0.01}, "qdamp must be >= 0"),
        ({"qdamp": float("inf")}, "qdamp must be finite"),
        ({"biso": -0.3}, "biso must be >= 0"),
        ({"biso": True}, "biso must be a number"),
    ],
)
def test_bad_parameters_raise_value_error(kwargs, match):
    if match is None:
        assert pdf_from_distances(DIMER, 2, R, **kwargs).shape == R.shape
        return
    with pytest.raises(ValueError, match=match):
        pdf_from_distances(DIMER, 2, R, **kwargs)
    with pytest.raises(ValueError, match=match):
        compute_pdf(Atoms("Pt2", positions=[[0, 0, 0], [0, 0, 2.5]]), R, **kwargs)


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
        pdf_from_distances(DIMER, 2, r)


@pytest.mark.parametrize(
    ("distances", "n_atoms", "match"),
    [
        (DIMER, 1, "n_atoms must be an integer >= 2"),
        (DIMER, 2.0, "n_atoms must be an integer >= 2"),
        (DIMER, True, "n_atoms must be an integer >= 2"),
        (np.array([2.5, 2.5]), 2, "distances must have .* = 1 entries"),
        (np.ones((3, 3)), 3, "distances must be 1-D"),
        (np.array([0.0]), 2, "distances must all be positive"),
        (np.array([2.5, -1.0, 2.5]), 3, "distances must all be positive"),
        (np.array([np.nan]), 2, "distances must all be positive and finite"),
        (np.array([np.inf]), 2, "distances must all be positive and finite"),
        (["x"], 2, "distances must be a 1-D array"),
        (np.array([2.5e5]), 2, "distances must be shorter than"),
    ],
)
def test_bad_distances_raise_value_error(distances, n_atoms, match):
    with pytest.raises(ValueError, match=match):
        pdf_from_distances(distances, n_atoms, R)


@pytest.mark.parametrize(
    ("atoms", "match"),
    [
        (Atoms(), "at least 2 atoms"),
        (Atoms("Pt", positions=[[0, 0, 0]]), "at least 2 atoms"),
        (Atoms("PtAu", positions=[[0, 0, 0], [0, 0, 2.8]]), "single element"),
        (Atoms("Pt2", positions=[[0, 0, 0], [0, 0, 0]]), "distances must all be positive"),
        (Atoms("Pt3", positions=[[0, 0, 0], [0, 0, 2.5], [0, 0, 0]]), "distances must all be positive"),
        (Atoms("Pt2", positions=[[0, 0, 0], [0, 0, np.nan]]), "non-finite"),
        (np.zeros((5, 3)), "atoms must be an ase.Atoms"),
    ],
)
def test_bad_atoms_raise_value_error(atoms, match):
    with pytest.raises(ValueError, match=match):
        compute_pdf(atoms, R)


# --- regression against the stored reference ---------------------------------------------------------------


def _reference_atoms(reference, index: int) -> Atoms:
    symbol = str(reference["symbols"][index])
    positions = reference[f"positions_{index}"]
    return Atoms(symbol + str(len(positions)), positions=positions)


def test_matches_stored_reference():
    reference = np.load(REFERENCE)
    r = reference["r"]
    for index, (qmin, qmax, qdamp, biso) in enumerate(reference["parameters"]):
        atoms = _reference_atoms(reference, index)
        g = compute_pdf(atoms, r, qmin=qmin, qmax=qmax, qdamp=qdamp, biso=biso)
        expected = reference["g"][index]
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())


def _make_reference(path: Path = REFERENCE) -> None:
    """Write the regression reference (positions are stored, so it does not depend on helpers.structures)."""
    arrays = {"r": REFERENCE_R, "symbols": np.array([case[1] for case in REFERENCE_CASES])}
    arrays["parameters"] = np.array([case[3:] for case in REFERENCE_CASES], dtype=float)
    curves = []
    for index, (structure_type, element, size, qmin, qmax, qdamp, biso) in enumerate(REFERENCE_CASES):
        atoms = make_particle(structure_type, element, size)
        arrays[f"positions_{index}"] = atoms.get_positions()
        curves.append(compute_pdf(atoms, REFERENCE_R, qmin=qmin, qmax=qmax, qdamp=qdamp, biso=biso))
    arrays["g"] = np.array(curves)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)


if __name__ == "__main__":
    _make_reference()
    print(f"wrote {REFERENCE} ({REFERENCE.stat().st_size} bytes)")
