"""helpers.simulation: the one parameter table, the recipe of a dataset PDF, its noise and artefact."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from helpers import simulation as S
from helpers.data import R_GRID
from helpers.pdf import compute_pdf
from helpers.structures import make_particle, nearest_neighbour_distance


def test_the_table_has_every_parameter_once_with_sensible_ranges():
    names = [p.name for p in S.PARAMETERS]
    assert names == ["qmin", "qmax", "qdamp", "biso", "delta2", "strain", "noise", "artefact", "scale"]
    for p in S.PARAMETERS:
        assert p.limits[0] <= p.low <= p.high <= p.limits[1], p.name
        assert p.limits[0] <= p.clean <= p.limits[1], p.name
        assert p.meaning and p.source, p.name
    # the measured ranges of issue 10: Qmax 12-30, Qdamp 0.01-0.07, Biso 0.1-1, delta2 0-4, noise 0.1-1 %
    assert (S.TABLE["qmax"].low, S.TABLE["qmax"].high) == (12.0, 30.0)
    assert (S.TABLE["qdamp"].low, S.TABLE["qdamp"].high) == (0.01, 0.07)
    assert (S.TABLE["delta2"].low, S.TABLE["delta2"].high) == (0.0, 4.0)
    assert (S.TABLE["noise"].low, S.TABLE["noise"].high) == (0.001, 0.01)
    assert S.PHYSICS == ("qmin", "qmax", "qdamp", "biso", "delta2")


def test_draw_parameters_is_seeded_in_range_and_rounded():
    a = S.draw_parameters(np.random.default_rng(5))
    b = S.draw_parameters(np.random.default_rng(5))
    assert a == b and list(a) == [p.name for p in S.PARAMETERS]
    draws = [S.draw_parameters(np.random.default_rng(k)) for k in range(200)]
    for p in S.PARAMETERS:
        values = np.array([d[p.name] for d in draws])
        assert values.min() >= p.low and values.max() <= p.high, p.name
        assert np.allclose(values, np.round(values, p.decimals)), p.name
    scales = np.log([d["scale"] for d in draws])  # log-uniform
    assert abs(np.median(scales)) < 0.5


def test_check_ranges_fills_in_clean_values_and_refuses_bad_ones():
    full = S.check_ranges({"noise": (0.1, 0.2)})
    assert full["noise"] == (0.1, 0.2)
    assert full["qmax"] == (25.0, 25.0) and full["strain"] == (0.0, 0.0)
    assert S.check_ranges(None) == {p.name: (p.low, p.high) for p in S.PARAMETERS}


@pytest.mark.parametrize(
    ("ranges", "error", "match"),
    [
        ({"temperature": (1, 2)}, ValueError, "unknown parameter"),
        ({"qmax": (25, 12)}, ValueError, "low <= high"),
        ({"qmax": 20}, ValueError, "pair of numbers"),
        ({"qmax": ("a", "b")}, ValueError, "pair of numbers"),
        ({"qmax": (0.5, 20)}, ValueError, "out of bounds"),
        ({"noise": (-0.1, 0.1)}, ValueError, "out of bounds"),
        ({"biso": (0.1, np.inf)}, ValueError, "finite"),
        ({"strain": (-0.9, 0.0)}, ValueError, "out of bounds"),
        ({"qmin": (2.0, 2.0), "qmax": (1.5, 3.0)}, ValueError, "every qmin must be below every qmax"),
        ([("qmax", (12, 25))], TypeError, "must be a dict"),
    ],
)
def test_bad_ranges_are_refused_by_name(ranges, error, match):
    with pytest.raises(error, match=match):
        S.check_ranges(ranges)


def test_geometry_is_the_particle_as_distinct_distances():
    geo = S.geometry("Decahedral", 2)
    atoms = make_particle("Decahedral", "Au", 2, d_nn=1.0)
    n = len(atoms)
    assert geo.n_atoms == n and geo.weights.sum() == n * (n - 1) // 2
    assert geo.distances[0] == pytest.approx(1.0, abs=0.06)  # d_nn = 1 (decahedra are slightly strained)
    assert geo.shape == "Marks decahedron"
    assert not geo.distances.flags.writeable


def test_clean_simulation_is_the_normalised_pdf_of_the_particle():
    params = S.clean_parameters()
    pdf = S.simulate("FCC", "Pt", 2, params)
    atoms = make_particle("FCC", "Pt", 2, d_nn=round(nearest_neighbour_distance("Pt"), 4))
    g = compute_pdf(atoms, R_GRID, **S.physics(params))
    np.testing.assert_allclose(pdf.g * pdf.g_max, g, atol=1e-10 * np.abs(g).max())
    assert np.abs(pdf.g).max() == pytest.approx(1.0)
    assert pdf.n_atoms == len(atoms) and pdf.shape == "truncated octahedron"


def test_scale_only_changes_g_max():
    params = S.clean_parameters()
    a = S.simulate("SC", "Cu", 3, params)
    b = S.simulate("SC", "Cu", 3, params | {"scale": 4.0})
    np.testing.assert_allclose(a.g, b.g)
    assert b.g_max == pytest.approx(4 * a.g_max)


def test_noise_is_band_limited_and_of_the_asked_size():
    params = S.clean_parameters() | {"qmax": 15.0}
    noise = S._band_limited_noise(np.arange(1.0, 60.0, 0.01), params, np.random.default_rng(0))
    assert np.sqrt(np.mean(noise**2)) == pytest.approx(1.0)
    # smooth on the scale of pi/Qmax: neighbours 0.01 Å apart are almost equal, unlike white noise
    assert np.corrcoef(noise[:-1], noise[1:])[0, 1] > 0.95
    spectrum = np.abs(np.fft.rfft(noise))
    q = 2 * np.pi * np.fft.rfftfreq(noise.size, d=0.01)
    assert spectrum[q > 17.0].max() < 0.05 * spectrum.max()  # nothing beyond Qmax
    clean = S.simulate("FCC", "Au", 3, S.clean_parameters())
    noisy = S.simulate("FCC", "Au", 3, S.clean_parameters() | {"noise": 0.01}, np.random.default_rng(1))
    residual = noisy.g * noisy.g_max - clean.g * clean.g_max
    assert np.sqrt(np.mean(residual**2)) == pytest.approx(0.01 * clean.g_max, rel=0.05)


def test_the_artefact_sits_below_the_first_peak():
    params = S.clean_parameters() | {"artefact": 0.05}
    clean = S.simulate("Octahedral", "Ni", 3, S.clean_parameters())
    for seed in range(5):
        pdf = S.simulate("Octahedral", "Ni", 3, params, np.random.default_rng(seed))
        diff = pdf.g * pdf.g_max - clean.g * clean.g_max
        peak_at = R_GRID[np.argmax(np.abs(diff))]
        assert 1.1 <= peak_at <= 0.75 * nearest_neighbour_distance("Ni") + 0.1
        assert np.abs(diff).max() == pytest.approx(0.05 * clean.g_max, rel=0.05)


def test_random_parts_need_a_generator_and_complete_parameters():
    with pytest.raises(ValueError, match="pass rng"):
        S.simulate("FCC", "Pt", 2, S.clean_parameters() | {"noise": 0.01})
    with pytest.raises(ValueError, match="params lacks"):
        S.simulate("FCC", "Pt", 2, {"qmax": 25.0})


def test_simulate_structure_follows_the_same_recipe():
    params = S.clean_parameters() | {"strain": 0.01}
    by_name = S.simulate("Icosahedral", "Au", 2, params)
    atoms = make_particle("Icosahedral", "Au", 2, d_nn=by_name.d_nn / 1.01)  # strained by 1.01 again below
    g, g_max, used = S.simulate_structure(atoms, params)
    assert used == params
    np.testing.assert_allclose(g, by_name.g, atol=1e-4)  # distinct distances are merged to within 1e-5 Å
    assert g_max == pytest.approx(by_name.g_max, rel=1e-4)
    with pytest.raises(TypeError, match="ase.Atoms"):
        S.simulate_structure(np.zeros((3, 3)), params)


def test_a_disordered_structure_can_be_simulated_like_an_experiment():
    # atoms moved at random: a few come close together; the artefact still sits below the typical d_nn
    atoms = make_particle("FCC", "Au", 2)
    atoms.rattle(stdev=0.25, rng=np.random.default_rng(0))
    params = S.draw_parameters(np.random.default_rng(3)) | {"artefact": 0.05}
    params["delta2"] = 4.0  # more than the squared shortest distance of the rattled cluster
    g, g_max, used = S.simulate_structure(atoms, params, np.random.default_rng(4))
    assert np.abs(g).max() == pytest.approx(1.0) and g_max > 0
    shortest = pdist(atoms.get_positions()).min()
    assert used["delta2"] < shortest**2 < 4.0 and used["qmax"] == params["qmax"]
