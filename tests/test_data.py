"""Tests of helpers.data: the published dataset, its datasheet, regeneration, and reading measured files."""

from __future__ import annotations

import hashlib
import os
import re

import numpy as np
import pandas as pd
import pytest

from helpers import data as D
from helpers.structures import ELEMENTS, SIZES, STRUCTURE_TYPES, diameter, nearest_neighbour_distance

DATASET = D.DATA_DIR / D.DATASET_FILE
EXAMPLE = D.DATA_DIR / D.EXAMPLE_FILE
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


# --------------------------------------------------------------------------- the published dataset


def test_load_pdfs_shape_columns_dtypes(df):
    n_combos = sum(len(SIZES[t]) for t in STRUCTURE_TYPES) * len(ELEMENTS)
    assert df.shape == (n_combos * 6, len(D.META_COLUMNS) + 291)
    assert list(df.columns) == D.META_COLUMNS + D.GR_COLUMNS
    assert D.gr_columns(df) == D.GR_COLUMNS
    for col in ("structure_type", "element", "condition"):
        assert pd.api.types.is_string_dtype(df[col]), col
    for col in ("size", "n_atoms"):
        assert pd.api.types.is_integer_dtype(df[col]), col
    assert all(df[c].dtype == np.float64 for c in D.GR_COLUMNS)
    assert all(df[c].dtype == np.float64 for c in ("diameter", "d_nn", "qmax", "g_max"))
    assert not df.isna().any().any()
    assert set(df["structure_type"]) == set(STRUCTURE_TYPES)
    assert set(df["element"]) == set(ELEMENTS)
    for t in STRUCTURE_TYPES:
        assert set(df.loc[df.structure_type == t, "size"]) == set(SIZES[t])


def test_to_xy(df):
    X, y = D.to_xy(df)
    assert X.shape == (len(df), 291) and X.dtype == np.float64
    assert list(y[:3]) == list(df["structure_type"][:3])
    _, y_el = D.to_xy(df, target="element")
    assert set(y_el) == set(ELEMENTS)
    with pytest.raises(ValueError, match="target"):
        D.to_xy(df, target="colour")


def test_load_pdfs_conditions(df):
    clean = D.load_pdfs("clean")
    exp = D.load_pdfs("experimental")
    assert set(clean["condition"]) == {"clean"} and set(exp["condition"]) == {"experimental"}
    assert len(exp) == 5 * len(clean) and len(clean) + len(exp) == len(df)
    assert clean.index.equals(pd.RangeIndex(len(clean)))
    with pytest.raises(ValueError, match="condition"):
        D.load_pdfs("noisy")


def test_load_pdfs_missing_file_says_make_data(tmp_path):
    with pytest.raises(FileNotFoundError, match="make data"):
        D.load_pdfs(path=tmp_path / "nothing.csv.gz")


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


def test_clean_rows_have_the_fixed_parameters(df):
    clean = df[df.condition == "clean"]
    for key, value in D.CLEAN_PARAMS.items():
        assert (clean[key] == value).all(), key


def test_experimental_parameters_in_ranges_and_rounded(df):
    exp = df[df.condition == "experimental"]
    assert (exp["qmin"] == D.CLEAN_PARAMS["qmin"]).all()
    for key, (lo, hi) in D.EXPERIMENTAL_RANGES.items():
        col = exp[key]
        assert col.between(lo, hi).all(), key
        # U(lo, hi) has std 0.29 (hi - lo)
        assert col.std() > (hi - lo) / 5, f"{key} is not spread over its range"
        decimals = D._DECIMALS[key]
        assert np.allclose(col, col.round(decimals), rtol=0, atol=1e-12), key
    # d_nn is the bulk value times (1 + strain)
    bulk = {el: nearest_neighbour_distance(el) for el in ELEMENTS}
    expected = exp["element"].map(bulk) * (1 + exp["strain"])
    assert np.allclose(exp["d_nn"], expected, atol=2e-4)


def test_rows_are_normalised(df):
    X, _ = D.to_xy(df)
    assert np.allclose(np.abs(X).max(axis=1), 1.0, atol=1e-3)
    assert (df["g_max"] > 0).all()


def test_rows_are_reproducible_from_their_metadata(df):
    """Recompute G(r) from a row's stored parameters: clean rows match to rounding, experimental to the noise."""
    from helpers.pdf import compute_pdf
    from helpers.structures import make_particle

    picks = [0, 1, 2, len(df) // 2, len(df) // 2 + 3, len(df) - 1, len(df) - 4]
    for i in picks:
        row = df.iloc[i]
        atoms = make_particle(row.structure_type, row.element, int(row["size"]), d_nn=row.d_nn)
        assert len(atoms) == row.n_atoms
        assert diameter(atoms) == pytest.approx(row.diameter, abs=0.006)
        g = compute_pdf(atoms, D.R_GRID, qmin=row.qmin, qmax=row.qmax, qdamp=row.qdamp, biso=row.biso)
        stored = row[D.GR_COLUMNS].to_numpy(float) * row.g_max
        if row.condition == "clean":
            assert row.g_max == pytest.approx(np.abs(g).max(), abs=6e-5)
            assert np.allclose(stored, g, rtol=0, atol=1e-4 * row.g_max * 1.01 + 1e-9)
        else:
            rel_noise = np.std(stored - g) / np.abs(g).max()
            assert 0.7 * row.noise < rel_noise < 1.3 * row.noise, (i, rel_noise, row.noise)


def test_datasheet_sha256_matches_files():
    text = _readme()
    for path in (DATASET, EXAMPLE):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines = [
            line for line in text.splitlines() if path.name in line and re.search(r"\b[0-9a-f]{64}\b", line)
        ]
        assert lines, f"no sha256 for {path.name} in {README}"
        assert digest in lines[0], f"sha256 of {path.name} in the datasheet is out of date: run `make data`"


def test_dataset_size_limit():
    assert DATASET.stat().st_size + EXAMPLE.stat().st_size < 10_000_000


# --------------------------------------------------------------------------- regeneration


SMALL = {"types": ("FCC", "Octahedral"), "elements": ("Au", "Fe"), "n_experimental": 1}


def test_small_generation_is_byte_identical(tmp_path):
    a = D.write_dataset(D.generate_dataset(progress=False, **SMALL), tmp_path / "a" / "pdfs.csv.gz")
    b = D.write_dataset(D.generate_dataset(progress=False, **SMALL), tmp_path / "b" / "pdfs.csv.gz")
    c = D.write_dataset(D.generate_dataset(seed=1, progress=False, **SMALL), tmp_path / "c" / "pdfs.csv.gz")
    assert a.read_bytes() == b.read_bytes()
    header = a.read_bytes()[:10]  # gzip header: no file name (FLG = 0) and mtime 0, so no run-dependent bytes
    assert header[:4] == b"\x1f\x8b\x08\x00" and header[4:8] == b"\x00\x00\x00\x00", header
    assert a.read_bytes() != c.read_bytes()  # the seed matters
    small = D.load_pdfs(path=a)
    assert len(small) == 2 * 2 * 6 * 2
    assert list(small.columns) == D.META_COLUMNS + D.GR_COLUMNS


def test_small_generation_matches_published_clean_rows(df):
    """Clean rows use no random numbers, so a subset regenerated now must equal the published rows."""
    small = D.generate_dataset(progress=False, types=("Octahedral",), elements=("Pt",), n_experimental=0)
    published = df[(df.structure_type == "Octahedral") & (df.element == "Pt") & (df.condition == "clean")]
    assert len(small) == len(published) == len(SIZES["Octahedral"])
    pd.testing.assert_frame_equal(small.reset_index(drop=True), published.reset_index(drop=True))


def test_generate_dataset_rejects_bad_arguments():
    with pytest.raises(ValueError, match="structure types"):
        D.generate_dataset(progress=False, types=("Cubic",))
    with pytest.raises(ValueError, match="n_experimental"):
        D.generate_dataset(progress=False, n_experimental=-1)


def test_cli_writes_both_files(tmp_path, monkeypatch, capsys):
    real = D.generate_dataset
    monkeypatch.setattr(D, "generate_dataset", lambda **kw: real(**kw, types=("FCC",), elements=("Cu",)))
    assert D.main(["--out", str(tmp_path), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "pdfs.csv.gz").is_file() and (tmp_path / "example.gr").is_file()
    assert "sha256" in out and "36 rows" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example.gr", "pdfs.csv.gz"]


# --------------------------------------------------------------------------- atomic writes


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "f.bin"
    D.atomic_write_bytes(target, b"old")
    D.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch, broken):
    target = tmp_path / "pdfs.csv.gz"
    target.write_bytes(b"old content")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, broken, boom)
    with pytest.raises(OSError, match="disk full"):
        D.atomic_write_bytes(target, b"new content")
    monkeypatch.undo()
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["pdfs.csv.gz"]


# --------------------------------------------------------------------------- load_gr: good files

R = np.round(np.arange(0, 301) / 100, 2)  # 0 ... 3 Å
G = np.round(np.sin(3 * R) * np.exp(-R), 6)

PDFGETX3_HEADER = """[DEFAULT]

version = pdfgetx3-2.2.1

# input and output specifications
dataformat = QA
inputfile = Au_NP_300K.chi
backgroundfile = kapton.chi
outputtype = gr

# PDF calculation setup
mode = xray
wavelength = 0.1665
composition = Au
qmaxinst = 25.0
qmin = 0.7
qmax = 22.0
rmin = 0.0
rmax = 3.0
rstep = 0.01

# End of config --------------------------------------------------------------

#### start data
#S 1
#L r($\\AA$)  G($\\AA^{-2}$)
"""

PDFGUI_HEADER = """History written: Mon Jun  5 12:03:50 2006
produced by farrowch
##### RUN PARAMETERS #####
stype=X
qmax=25.0000
qdamp=0.0400
##### start data
#O0 rg_int sig_rg_int low_int sig_low_int rmax rhofit
#S 1 - PDF from PDFgetX2
#P0  -36.06577  0.01012   0.00000   0.00000  30.00000   0.05000
#L r G(r) dr dG(r)
"""


def _rows(fmt: str, r=R, g=G, extra: str = "") -> str:
    return "".join(fmt.format(a, b) + extra + "\n" for a, b in zip(r, g))


GOOD_FILES = {
    "pdfgetx3.gr": (PDFGETX3_HEADER + _rows("{} {}")).encode(),
    "pdfgui.gr": (PDFGUI_HEADER + _rows("  {:.6e}  {:.6e}", extra="  0.000000e+00  1.200000e-02")).encode(),
    "plain.txt": _rows("{}\t{}").encode(),
    "four_columns.dat": ("# r G dr dG\n" + _rows("{} {}", extra=" 0.0 0.01")).encode(),
    "bom.gr": b"\xef\xbb\xbf" + ("# from Origin\n" + _rows("{} {}")).encode(),
    "crlf.gr": (PDFGETX3_HEADER + _rows("{} {}")).replace("\n", "\r\n").encode(),
    "comma.csv": ("r,G\n" + _rows("{},{}")).encode(),
    "comma_spaces_trailing.csv": ("r (A), G (A^-2),\n" + _rows("{}, {},")).encode(),
    "descending.gr": _rows("{} {}", r=R[::-1], g=G[::-1]).encode(),
    "trailing_blank_lines.gr": (_rows("{} {}") + "\n\n   \n").encode(),
    "latin1_header.gr": ("# measured at 300 K, r in \xc5\n".encode("latin-1") + _rows("{} {}").encode()),
}


@pytest.mark.parametrize("name", list(GOOD_FILES))
def test_load_gr_reads_supported_formats(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(GOOD_FILES[name])
    r, g = D.load_gr(path)
    assert r.dtype == np.float64 and g.dtype == np.float64
    np.testing.assert_allclose(r, R, rtol=0, atol=1e-9)
    np.testing.assert_allclose(g, G, rtol=1e-6, atol=1e-9)


def test_load_gr_accepts_str_paths(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_bytes(GOOD_FILES["plain.txt"])
    assert len(D.load_gr(str(path))[0]) == len(R)


# --------------------------------------------------------------------------- load_gr: bad files


def _numbered(n: int = 20, bad: dict[int, str] | None = None) -> bytes:
    """n lines 'r G'; ``bad`` replaces line numbers (1-based) by other text."""
    lines = [f"{1 + 0.1 * i:.1f} {np.sin(i):.4f}" for i in range(n)]
    for k, text in (bad or {}).items():
        lines[k - 1] = text
    return ("\n".join(lines) + "\n").encode()


BAD_FILES = {
    # name: (content, words that must be in the message (case-insensitive), line number or None)
    "empty.gr": (b"", ["empty"], None),
    "blank.gr": (b"\n  \r\n\t\n", ["empty"], None),
    "header_only.gr": (PDFGETX3_HEADER.encode(), ["header only"], None),
    "comments_only.gr": (b"# r G\n# nothing measured yet\n", ["no data lines"], None),
    "notes.txt": (b"Results of beamtime 2024\nSample A looked fine.\n", ["no data lines"], None),
    "saved_page.gr": (b'<!DOCTYPE html>\n<html lang="en"><head><title>x.gr</title>', ["web page"], None),
    "plot.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", ["png"], None),
    "table.xlsx": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", ["xlsx"], None),
    "binary.dat": (b"\x01\x02\x03\x00\x04garbage", ["binary", "nul"], None),
    "undecodable.gr": (_numbered(bad={5: "XX 0.5"}).replace(b"XX", b"\xff\xfe\x81"), ["utf-8"], 5),
    "one_column.gr": ("\n".join(str(i) for i in range(20)).encode(), ["column"], 1),
    "ragged.gr": (_numbered(bad={7: "1.6 0.2 0.3"}), ["ragged", "3 columns"], 7),
    "non_numeric.gr": (_numbered(bad={6: "1.5 abc"}), ["non-numeric", "abc"], 6),
    "decimal_comma.csv": (
        _numbered().replace(b".", b",").replace(b" ", b";"),
        ["non-numeric", "decimal comma"],
        1,
    ),
    "nan.gr": (_numbered(bad={4: "1.3 nan"}), ["nan"], 4),
    "inf.gr": (_numbered(bad={9: "1.8 -inf"}), ["infinite"], 9),
    "unsorted.gr": (_numbered(bad={12: "0.5 0.1"}), ["monotonic"], 12),
    "duplicate.gr": (_numbered(bad={3: "1.1 0.3"}), ["duplicate"], 3),
    "negative.gr": (_numbered(bad={1: "-0.1 0.0"}), ["negative"], 1),
    "too_few.gr": (_numbered(n=5), ["at least 10"], None),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_load_gr_rejects_bad_files_clearly(tmp_path, name):
    content, words, line = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError) as info:
        D.load_gr(path)
    msg = str(info.value)
    assert name in msg, msg
    for word in words:
        assert word.lower() in msg.lower(), (word, msg)
    if line is not None:
        assert f"line {line}:" in msg, msg
    assert "expected" in msg.lower(), msg  # says what a good file looks like


def test_load_gr_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such.gr"):
        D.load_gr(tmp_path / "no_such.gr")
    with pytest.raises(ValueError, match="folder"):
        D.load_gr(tmp_path)


# --------------------------------------------------------------------------- measured data on the dataset grid


def test_normalize():
    g = np.array([0.5, -2.0, 1.0])
    np.testing.assert_array_equal(D.normalize(g), [0.25, -1.0, 0.5])
    np.testing.assert_array_equal(D.normalize(np.array([g, 2 * g])), [[0.25, -1.0, 0.5]] * 2)
    with pytest.raises(ValueError, match="zero"):
        D.normalize(np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        D.normalize(np.array([1.0, np.nan]))


def test_resample_and_prepare_measured():
    r = np.arange(0, 4001) / 100  # 0 ... 40 Å
    g = 3.0 * np.sin(r)
    on_grid = D.resample(r, g)
    np.testing.assert_allclose(on_grid, 3.0 * np.sin(D.R_GRID), atol=1e-3)
    x = D.prepare_measured(r, g)
    assert x.shape == (1, 291)
    assert np.abs(x).max() == pytest.approx(1.0)
    np.testing.assert_allclose(x[0], on_grid / np.abs(on_grid).max())


def test_resample_says_what_is_missing():
    r = np.arange(150, 2501) / 100  # 1.5 ... 25 Å
    with pytest.raises(ValueError, match=r"missing 1-1\.5 Å at low r and 25-30 Å at high r"):
        D.resample(r, np.sin(r))
    with pytest.raises(ValueError, match="high r"):
        D.prepare_measured(np.arange(0, 2001) / 100, np.ones(2001))
    with pytest.raises(ValueError, match="increasing"):
        D.resample(np.arange(0, 4001)[::-1] / 100, np.ones(4001))


# --------------------------------------------------------------------------- the example file


def test_example_gr_round_trip():
    r, g = D.load_gr(EXAMPLE)
    assert len(r) == 4000 and r[0] == 0.01 and r[-1] == 40.0
    np.testing.assert_allclose(np.diff(r), 0.01, atol=1e-9)
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "SIMULATED" in text and "#### start data" in text and "\r" not in text
    r2, g2, _ = D.make_example()  # the file is what the code makes now
    np.testing.assert_allclose(r, r2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(g, g2, rtol=1e-7, atol=1e-9)
    assert D.prepare_measured(r, g).shape == (1, 291)


def test_write_gr_round_trip(tmp_path):
    r = np.arange(1, 501) / 50
    g = np.cos(r) * 12.345678
    path = D.write_gr(tmp_path / "x.gr", r, g, header={"sample": "test", "PDF parameters": {"qmax": 20}})
    text = path.read_text(encoding="utf-8")
    assert "[PDF parameters]\nqmax = 20" in text
    r2, g2 = D.load_gr(path)
    np.testing.assert_allclose(r2, r, rtol=1e-12)
    np.testing.assert_allclose(g2, g, rtol=1e-7)
    with pytest.raises(ValueError, match="single lines"):
        D.write_gr(tmp_path / "y.gr", r, g, header={"note": "two\nlines"})
