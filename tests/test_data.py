"""Tests of helpers.data: the published dataset (format, values, datasheet) and its loading."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from helpers import data as D
from helpers.generate import N_EXPERIMENTAL
from helpers.simulation import PARAMETERS, TABLE, physics, simulate
from helpers.structures import ELEMENTS, SIZES, STRUCTURE_TYPES, nearest_neighbour_distance

DATASET = D.DATA_DIR / D.DATASET_FILE
README = D.DATA_DIR / "README.md"


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return D.load_pdfs()


def _readme() -> str:
    return README.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- grid and columns


def test_r_grid_exact_values():
    assert D.R_GRID.shape == (291,)
    assert D.R_GRID.dtype == np.float64
    expected = np.array([float(f"{k / 10:.1f}") for k in range(10, 301)])
    assert np.array_equal(D.R_GRID, expected)  # exact, not approximately
    assert D.R_GRID[0] == 1.0 and D.R_GRID[15] == 2.5 and D.R_GRID[-1] == 30.0
    assert D.GR_COLUMNS[0] == "1.00" and D.GR_COLUMNS[15] == "2.50" and D.GR_COLUMNS[-1] == "30.00"


def test_data_dir_is_the_checkout_data_folder_here():
    assert D.DATA_DIR == D.Path(D.__file__).resolve().parent.parent / "data"
    assert DATASET.is_file() and (D.DATA_DIR / "measured").is_dir()


# --------------------------------------------------------------------------- the published dataset


def test_load_pdfs_shape_columns_dtypes(df):
    n_particles = sum(len(SIZES[t]) for t in STRUCTURE_TYPES) * len(ELEMENTS)
    assert df.shape == (n_particles * (1 + N_EXPERIMENTAL), len(D.META_COLUMNS) + 291)
    assert list(df.columns) == D.META_COLUMNS + D.GR_COLUMNS
    assert D.gr_columns(df) == D.GR_COLUMNS
    for col in ("structure_type", "element", "shape", "condition"):
        assert pd.api.types.is_string_dtype(df[col]), col
    for col in ("size", "n_atoms"):
        assert pd.api.types.is_integer_dtype(df[col]), col
    assert all(df[c].dtype == np.float64 for c in D.GR_COLUMNS)
    assert all(df[c].dtype == np.float64 for c in ("diameter", "d_nn", "qmax", "delta2", "g_max"))
    assert not df.isna().any().any()
    assert set(df["structure_type"]) == set(STRUCTURE_TYPES)
    assert set(df["element"]) == set(ELEMENTS)
    for t in STRUCTURE_TYPES:
        assert set(df.loc[df.structure_type == t, "size"]) == set(SIZES[t])


def test_to_xy(df):
    X, y = D.to_xy(df.iloc[:10])
    assert X.shape == (10, 291) and X.dtype == np.float64
    assert list(y) == list(df["structure_type"].iloc[:10])
    _, sizes = D.to_xy(df.iloc[:3], "size")
    assert list(sizes) == list(df["size"].iloc[:3])
    with pytest.raises(ValueError, match="target column 'colour'"):
        D.to_xy(df, "colour")
    with pytest.raises(ValueError, match="no G\\(r\\) columns"):
        D.to_xy(df[["structure_type"]])
    with pytest.raises(TypeError, match="DataFrame"):
        D.to_xy(np.zeros((3, 3)))


def test_to_xy_with_a_window_renormalises_each_row(df):
    X, _ = D.to_xy(df.iloc[:50], r_max=D.MEASURED_R_MAX)
    assert X.shape == (50, 191)
    np.testing.assert_allclose(np.abs(X).max(axis=1), 1.0)
    full, _ = D.to_xy(df.iloc[:50])
    np.testing.assert_allclose(X, full[:, :191] / np.abs(full[:, :191]).max(axis=1, keepdims=True))


def test_load_pdfs_conditions(df):
    clean, exp = D.load_pdfs("clean"), D.load_pdfs("experimental")
    assert len(clean) + len(exp) == len(df)
    assert set(clean["condition"]) == {"clean"} and set(exp["condition"]) == {"experimental"}
    assert clean.index.tolist() == list(range(len(clean)))
    with pytest.raises(ValueError, match="condition"):
        D.load_pdfs("noisy")


def test_load_pdfs_missing_file_says_make_data(tmp_path):
    with pytest.raises(FileNotFoundError, match="make data"):
        D.load_pdfs(path=tmp_path / "nope.csv.gz")


def test_load_pdfs_refuses_a_file_with_other_columns(tmp_path):
    path = tmp_path / "other.csv"
    pd.DataFrame({"a": [1], "b": [2]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="does not have the dataset's columns"):
        D.load_pdfs(path=path)


def test_class_counts_match_datasheet(df):
    section = _readme().split("## Class counts", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and (cells[0] in STRUCTURE_TYPES or cells[0] == "all"):
            table[cells[0]] = tuple(int(c) for c in cells[1:])
    assert set(table) == {*STRUCTURE_TYPES, "all"}, "datasheet class-count table not found"
    counts = df.groupby(["structure_type", "condition"]).size()
    for t in STRUCTURE_TYPES:
        assert (counts[(t, "clean")], counts[(t, "experimental")], counts[t].sum()) == table[t], t
    by_condition = df["condition"].value_counts()
    assert (by_condition["clean"], by_condition["experimental"], len(df)) == table["all"]
    assert re.search(rf"\b{len(df)} rows\b", _readme()), "datasheet does not state the row count"


def test_classes_span_the_same_diameters(df):
    # every type from about 1 nm to about 5 nm: smallest within 1.5x of the smallest of all,
    # largest at least 0.75x of the largest of all (so size does not give the type away)
    clean = df[df.condition == "clean"]
    lo, hi = (
        clean.groupby("structure_type")["diameter"].min(),
        clean.groupby("structure_type")["diameter"].max(),
    )
    assert (lo <= 1.5 * lo.min()).all(), lo.to_dict()
    assert (hi >= 0.75 * hi.max()).all(), hi.to_dict()
    assert lo.min() < 13.0 and hi.max() > 45.0  # Å: about 1 nm and about 5 nm


def test_shapes_of_fcc_and_decahedral_particles(df):
    shapes = df.groupby("structure_type")["shape"].unique()
    assert set(shapes["FCC"]) == {"cuboctahedron", "truncated octahedron", "sphere"}
    assert set(shapes["Decahedral"]) == {"Ino decahedron", "Marks decahedron"}
    assert set(shapes["Octahedral"]) == {"octahedron"}


def test_clean_rows_have_the_clean_parameters(df):
    clean = df[df.condition == "clean"]
    for p in PARAMETERS:
        assert (clean[p.name] == p.clean).all(), p.name


def test_experimental_parameters_in_ranges_and_rounded(df):
    exp = df[df.condition == "experimental"]
    for p in PARAMETERS:
        col = exp[p.name]
        assert col.between(p.low, p.high).all(), p.name
        spread = (
            np.log(col).std() / np.log(p.high / p.low) if p.name == "scale" else col.std() / (p.high - p.low)
        )
        assert spread > 0.2, f"{p.name} is not spread over its range"  # uniform: 0.29
        assert np.allclose(col, col.round(p.decimals), rtol=0, atol=1e-12), p.name
    # d_nn is the bulk value times (1 + strain)
    bulk = {el: nearest_neighbour_distance(el) for el in ELEMENTS}
    expected = exp["element"].map(bulk) * (1 + exp["strain"])
    assert np.allclose(exp["d_nn"], expected, atol=6e-5)


def test_rows_are_normalised(df):
    X, _ = D.to_xy(df)
    assert np.allclose(np.abs(X).max(axis=1), 1.0, atol=1e-3)
    assert (df["g_max"] > 0).all()


def test_rows_are_reproducible_from_their_metadata(df):
    """Recompute G(r) from a row's stored parameters: clean rows match to rounding, experimental ones to
    within their noise and artefact."""
    picks = [0, 1, 2, len(df) // 2, len(df) // 2 + 3, len(df) - 1, len(df) - 4]
    for i in picks:
        row = df.iloc[i]
        params = {p.name: row[p.name] for p in PARAMETERS} | {"noise": 0.0, "artefact": 0.0, "scale": 1.0}
        again = simulate(row.structure_type, row.element, int(row["size"]), params)
        assert (again.n_atoms, again.d_nn, again.shape) == (row.n_atoms, row.d_nn, row["shape"])
        assert again.diameter == pytest.approx(row.diameter, abs=0.006)
        stored = row[D.GR_COLUMNS].to_numpy(float)
        if row.condition == "clean":
            assert row.g_max == pytest.approx(again.g_max, abs=6e-5)
            assert np.allclose(stored, again.g, rtol=0, atol=6e-5)
        else:
            residual = stored * row.g_max / row.scale - again.g * again.g_max
            allowed = (3 * row.noise + 1.5 * row.artefact + 2e-4) * again.g_max
            assert np.abs(residual).max() < allowed, (i, np.abs(residual).max() / again.g_max)


def test_clean_rows_are_the_physics_of_helpers_pdf(df):
    from helpers.pdf import compute_pdf
    from helpers.structures import make_particle

    row = df[(df.condition == "clean") & (df.structure_type == "Decahedral")].iloc[9]
    atoms = make_particle(row.structure_type, row.element, int(row["size"]), d_nn=row.d_nn)
    g = compute_pdf(atoms, D.R_GRID, **physics({name: TABLE[name].clean for name in TABLE}))
    np.testing.assert_allclose(row[D.GR_COLUMNS].to_numpy(float), g / np.abs(g).max(), atol=6e-5)


def test_datasheet_sha256_matches_the_file():
    digest = hashlib.sha256(DATASET.read_bytes()).hexdigest()
    lines = [
        line
        for line in _readme().splitlines()
        if DATASET.name in line and re.search(r"\b[0-9a-f]{64}\b", line)
    ]
    assert lines, f"no sha256 for {DATASET.name} in {README}"
    assert digest in lines[0], f"sha256 of {DATASET.name} in the datasheet is out of date: run `make data`"


def test_datasheet_lists_every_parameter_with_its_range():
    text = _readme()
    for p in PARAMETERS:
        assert f"`{p.name}`" in text, p.name


def test_dataset_size_limit():
    assert DATASET.stat().st_size < 10_000_000
