"""helpers.augment: experiment-like PDFs by re-simulation (shapes, physics, determinism, argument errors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import augment as A
from helpers.data import GR_COLUMNS, META_COLUMNS, R_GRID, to_xy
from helpers.simulation import PARAMETERS, clean_parameters, simulate
from helpers.structures import make_particle, nearest_neighbour_distance


@pytest.fixture
def rows() -> pd.DataFrame:
    """Three dataset-like rows (only the columns augment_pdfs needs, plus a label)."""
    return pd.DataFrame(
        {"structure_type": ["FCC", "Icosahedral", "BCC"], "element": ["Au", "Pt", "Fe"], "size": [2, 2, 3]}
    )


def test_augment_pdfs_shape_columns_and_ranges(rows):
    out = A.augment_pdfs(rows, n_copies=4, seed=0)
    assert list(out.columns) == META_COLUMNS + GR_COLUMNS
    assert len(out) == 12
    assert list(out["structure_type"]) == [t for t in rows["structure_type"] for _ in range(4)]
    assert set(out["condition"]) == {"augmented"}
    X, y = to_xy(out)
    assert list(y) == list(out["structure_type"])
    assert X.shape == (12, len(R_GRID)) and np.all(np.isfinite(X))
    assert np.allclose(np.abs(X).max(axis=1), 1.0)
    for p in PARAMETERS:
        assert out[p.name].between(p.low, p.high).all(), p.name
    assert len(set(out["qmax"])) == 12  # every copy gets its own parameters
    d_nn = out["d_nn"] / (1 + out["strain"])
    expected = [nearest_neighbour_distance(e) for e in rows["element"] for _ in range(4)]
    assert np.allclose(d_nn, expected, atol=1e-4)


def test_augment_pdfs_is_seeded(rows):
    a = A.augment_pdfs(rows, 2, seed=3)
    b = A.augment_pdfs(rows, 2, seed=3)
    c = A.augment_pdfs(rows, 2, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(to_xy(a)[0], to_xy(c)[0])


def test_fixed_clean_parameters_reproduce_the_clean_simulation(rows):
    out = A.augment_pdfs(rows, 1, seed=0, ranges={})  # every parameter at its clean value, no noise
    for (t, el, size), g in zip(rows.itertuples(index=False), to_xy(out)[0]):
        assert np.allclose(g, simulate(t, el, size, clean_parameters()).g, atol=1e-12)


def test_strain_stretches_the_particle(rows):
    out = A.augment_pdfs(rows.iloc[:1], 1, seed=0, ranges={"strain": (0.02, 0.02)})
    d_nn = nearest_neighbour_distance("Au") * 1.02
    first_peak = R_GRID[np.argmax(to_xy(out)[0][0])]
    assert first_peak == pytest.approx(d_nn, abs=0.1)
    assert out["d_nn"].iloc[0] == pytest.approx(d_nn, abs=1e-4)


def test_simulate_like_experiment_matches_its_recipe():
    atoms = make_particle("Decahedral", "Au", 1)
    g, params = A.simulate_like_experiment(atoms, 0)
    assert g.shape == (len(R_GRID),) and np.abs(g).max() == pytest.approx(1.0)
    assert list(params) == [p.name for p in PARAMETERS]
    for p in PARAMETERS:
        assert p.low <= params[p.name] <= p.high
    g2, params2 = A.simulate_like_experiment(atoms, 0)
    assert np.array_equal(g, g2) and params == params2
    assert np.array_equal(atoms.get_positions(), make_particle("Decahedral", "Au", 1).get_positions())


def test_a_generator_continues_its_stream():
    atoms = make_particle("SC", "Cu", 2)
    rng = np.random.default_rng(1)
    g1, p1 = A.simulate_like_experiment(atoms, rng)
    g2, p2 = A.simulate_like_experiment(atoms, rng)
    assert p1 != p2 and not np.allclose(g1, g2)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_copies": 0}, ValueError, "n_copies"),
        ({"n_copies": 1.5}, TypeError, "n_copies"),
        ({"n_copies": True}, TypeError, "n_copies"),
        ({"seed": 1.0}, TypeError, "seed"),
        ({"seed": True}, TypeError, "seed"),
        ({"ranges": {"qmax": (30, 20)}}, ValueError, "ranges"),
    ],
)
def test_bad_arguments_are_refused_by_name(rows, kwargs, error, match):
    with pytest.raises(error, match=match):
        A.augment_pdfs(rows, **kwargs)


def test_bad_tables_are_refused(rows):
    with pytest.raises(TypeError, match="DataFrame"):
        A.augment_pdfs(rows.to_numpy())
    with pytest.raises(ValueError, match="size"):
        A.augment_pdfs(rows.drop(columns="size"))
    with pytest.raises(TypeError, match="ase.Atoms"):
        A.simulate_like_experiment(np.zeros((3, 3)))
