"""helpers.crystal: the crystal × spherical-envelope model and its refinement - bulk reported as bulk, a 3 nm
sphere's size, every lattice × d_nn 2.3-3.2 Å found from the global start, HCP c/a, and esd's that cover the
truth on repeated noisy simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from helpers.crystal import (
    IDEAL_C_OVER_A,
    LATTICES,
    crystal_pdf,
    d_nn_over_a,
    fit_crystal,
    shells,
    sphere_envelope,
)
from helpers.fit import FitData, fit_candidate, prepare_data
from helpers.pdf import pdf_from_distances
from helpers.simulation import clean_parameters, geometry, simulate_structure

R = np.round(np.arange(0, 3001) / 100, 2)
FIT_R = np.round(np.arange(1.5, 20.0001, 0.05), 4)


def _noise(rng, qmax: float, level: float, r=FIT_R) -> np.ndarray:
    """Band-limited noise (white in F(Q) up to Qmax, as measured PDFs have), rms ``level``."""
    q = np.arange(1, int(qmax * 64 / np.pi)) * np.pi / 64
    noise = np.sin(np.outer(r, q)) @ rng.normal(size=q.size)
    return noise * level / noise.std()


def _data(g, qmax=25.0, qdamp=None, r=FIT_R) -> FitData:
    return FitData(r, g, 1.0, qmax, qdamp, 0.0)


def _sphere(lattice: str, d_nn: float, radius: float, c_over_a: float = IDEAL_C_OVER_A) -> np.ndarray:
    a = d_nn / d_nn_over_a(lattice, c_over_a)
    kind = {"FCC": "fcc", "BCC": "bcc", "SC": "sc", "HCP": "hcp"}[lattice]
    cell = bulk("Cu", kind, a=a, c=c_over_a * a) if kind == "hcp" else bulk("Cu", kind, a=a, cubic=True)
    n = int(2 * radius / min(cell.cell.lengths())) + 3
    big = cell.repeat((n, n, n))
    pos = big.positions - big.positions.mean(axis=0)
    pos = pos[np.linalg.norm(pos, axis=1) <= radius]
    return pos - pos.mean(axis=0)


def test_shells_have_the_textbook_coordination():
    for lattice, first in [
        ("FCC", [12, 6, 24]),
        ("BCC", [8, 6, 12]),
        ("SC", [6, 12, 8]),
        ("HCP", [12, 6, 2]),
    ]:
        s = shells(lattice)
        d = np.sqrt(s.p + IDEAL_C_OVER_A**2 * s.q) * d_nn_over_a(lattice) ** -1 * 1.0
        order = np.argsort(d)
        d, m = d[order], s.m[order]
        groups = [m[np.isclose(d, v, rtol=1e-6)].sum() for v in np.unique(np.round(d, 6))[:3]]
        assert groups == first, lattice


def test_crystal_pdf_has_the_pdffit2_normalisation_and_envelope():
    r = np.round(np.arange(0.5, 40.0001, 0.01), 4)
    g = crystal_pdf("FCC", r, a=3.92, biso=0.5, qmax=60.0)
    # the area of r·G(r) over the first peak (plus the baseline 4πρ0 r²) counts the 12 neighbours
    first = (r > 2.45) & (r < 3.1)
    rho0 = 4 / 3.92**3
    assert np.trapezoid(r[first] * (g[first] + 4 * np.pi * rho0 * r[first]), r[first]) == pytest.approx(
        12, rel=0.02
    )
    assert np.all(np.isfinite(g))
    d = 30.0
    gs = crystal_pdf("FCC", r, a=3.92, biso=0.5, qmax=60.0, inv_diameter=1 / d)
    inside = (r > 5) & (r < 20)
    assert np.allclose(gs[inside], (g * sphere_envelope(r, 1 / d))[inside], atol=0.02 * np.abs(g).max())
    assert np.abs(gs[r > d + 1]).max() < 0.01 * np.abs(g).max()
    assert sphere_envelope(np.array([0.0, 15.0, 30.0, 40.0]), 1 / 30.0) == pytest.approx(
        [1.0, 0.3125, 0.0, 0.0]
    )


def test_a_bulk_crystal_is_reported_as_bulk_with_the_smallest_diameter_the_data_support():
    rng = np.random.default_rng(0)
    g = crystal_pdf("FCC", FIT_R, a=3.524, biso=0.4, delta2=1.5, qdamp=0.045, qmax=25.0)
    fit = fit_crystal(_data(g + _noise(rng, 25.0, 0.01 * np.abs(g).max())), "FCC")
    assert fit.bulk and fit.shape == "bulk crystal" and math.isinf(fit.diameter)
    assert fit.diameter_min > 100.0
    assert fit.a == pytest.approx(3.524, abs=3 * fit.esd["a"] + 1e-4) and fit.rw < 0.05


def test_a_3_nm_sphere_has_its_diameter_recovered_within_10_percent():
    # an independent engine: the Debye sum of a 30 Å fcc sphere of Pt (helpers.simulation's recipe)
    pos = _sphere("FCC", 2.772, 15.0)
    params = clean_parameters()
    g, _, _ = simulate_structure(Atoms(["Pt"] * len(pos), positions=pos), params, r=R)
    data = prepare_data(R, g, qmin=params["qmin"], qmax=params["qmax"], qdamp=params["qdamp"])
    fit = fit_crystal(data, "FCC")
    assert not fit.bulk and fit.diameter == pytest.approx(30.0, rel=0.10)
    assert 0 < fit.esd["diameter"] < 0.1 * fit.diameter and fit.d_nn == pytest.approx(2.772, rel=0.005)


@pytest.mark.parametrize("lattice", LATTICES)
def test_the_global_start_finds_every_lattice_at_every_metallic_d_nn(lattice):
    # simple cubic with d_nn < 2.55 Å is the hard case: its √2 shell is taller than its first
    for d_nn in (2.3, 2.5, 2.7, 2.9, 3.05, 3.2):
        a = d_nn / d_nn_over_a(lattice)
        g = crystal_pdf(lattice, FIT_R, a=a, biso=0.6, delta2=1.0, qdamp=0.04, inv_diameter=1 / 40, qmax=25.0)
        fit = fit_crystal(_data(g), lattice)
        assert fit.d_nn == pytest.approx(d_nn, rel=0.002) and fit.rw < 0.02, (lattice, d_nn, fit.d_nn)


@pytest.mark.parametrize(
    "structure_type", ["SC", "FCC", "BCC", "HCP", "Icosahedral", "Decahedral", "Octahedral"]
)
def test_catalogue_fits_start_right_at_every_metallic_d_nn(structure_type):
    geo = geometry(structure_type, 4)
    params = clean_parameters()
    for d_nn in (2.3, 2.55, 2.8, 3.0, 3.2):
        g = pdf_from_distances(
            geo.distances * d_nn, geo.n_atoms, FIT_R, weights=geo.weights,
            qmin=params["qmin"], qmax=params["qmax"], qdamp=params["qdamp"], biso=params["biso"], delta2=1.0,
        )  # fmt: skip
        fit = fit_candidate(FitData(FIT_R, g, params["qmin"], params["qmax"]), structure_type, 4)
        assert fit.d_nn == pytest.approx(d_nn, rel=0.003) and fit.rw < 0.05, (structure_type, d_nn, fit.d_nn)


@pytest.mark.parametrize(
    ("element", "d_nn", "c_over_a"), [("Ti", 2.95, 1.588), ("Ru", 2.70, 1.582), ("Co", 2.51, 1.623)]
)
def test_hcp_c_over_a_is_recovered(element, d_nn, c_over_a):
    # an independent engine: the Debye sum of a 3 nm hcp sphere with the metal's real c/a
    a = d_nn  # in-plane nearest neighbours (for c/a < 1.633 the out-of-plane ones are shorter)
    pos = _sphere("HCP", a * d_nn_over_a("HCP", c_over_a), 15.0, c_over_a)
    params = clean_parameters()
    g, _, _ = simulate_structure(Atoms([element] * len(pos), positions=pos), params, r=R)
    data = prepare_data(R, g, qmin=params["qmin"], qmax=params["qmax"], qdamp=params["qdamp"])
    fit = fit_crystal(data, "HCP")
    assert fit.c_over_a == pytest.approx(c_over_a, abs=0.006) and fit.a == pytest.approx(a, rel=0.003)
    assert fit.rw < 0.1 and "c" in fit.esd and fit.esd["c"] > 0


def test_esds_cover_the_truth_on_repeated_noisy_simulations():
    """The true a, Biso and diameter lie within ±2 esd in at least 90 % of 30 noisy repetitions."""
    rng = np.random.default_rng(42)
    truth = {"a": 3.92, "biso": 0.6, "diameter": 40.0}
    g0 = crystal_pdf("FCC", FIT_R, a=3.92, biso=0.6, delta2=1.2, qdamp=0.04, inv_diameter=1 / 40, qmax=25.0)
    inside = {k: 0 for k in truth}
    n = 30
    for _ in range(n):
        g = g0 + _noise(rng, 25.0, 0.02 * np.abs(g0).max())
        fit = fit_crystal(_data(g, qdamp=0.04), "FCC", d_nn_start=2.77)
        values = {"a": fit.a, "biso": fit.biso, "diameter": fit.diameter}
        for k, v in values.items():
            inside[k] += abs(v - truth[k]) <= 2 * fit.esd[k]
    assert all(count >= 0.9 * n for count in inside.values()), inside


def test_a_parameter_that_ends_at_a_bound_is_named():
    g = crystal_pdf("FCC", FIT_R, a=3.92, biso=0.5, delta2=1.0, qdamp=0.0, qmax=25.0)  # no resolution damping
    fit = fit_crystal(_data(g), "FCC")
    assert "qdamp" in fit.at_bounds and fit.qdamp == pytest.approx(0.0, abs=1e-4)
    calibrated = fit_crystal(_data(g, qdamp=0.0), "FCC")  # fixed, not refined: nothing to flag
    assert "qdamp" not in calibrated.at_bounds
