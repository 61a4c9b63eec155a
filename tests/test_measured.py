"""Tests of helpers.measured: reading measured PDF files (good and bad), headers, band-limited resampling,
features for the models, and the shipped measured files with their datasheet."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from helpers import measured as M
from helpers.data import R_GRID

DATASHEET = M.MEASURED_DIR / "README.md"
PROVENANCE_SHA256 = {  # from ../shared/measured/PROVENANCE.md: the files must be byte-identical copies
    "Au144PET_100K-00000.gr": "b240818828c6b2e63e1cc024707681ac33a8b1d9c446dbe2ce309ca93d6ba619",
    "Au144pMBA.gr": "99ca8f3b56f8595d7d2f0252beb674eb5008111346db6c21eb98ae1abd1eef39",
    "JQ_S1.gr": "f845900fdce758aeb38c2f92fb26d565b2cfb7857eabada7b123d568ff7ddb30",
    "JQ_S2.gr": "b6a5f3184418372b920d7ec2696fd6537cd054b0cffc5afddd00b7d5afdce4a0",
    "JQ_S3.gr": "8a372937c414d6b67d66b4f2ff56ea3ca55434b3781d14715a622fd15a505316",
    "ScattBO_Au_labsource.gr": "d1aca7ce31dcc13f36c593f86aba24488bcf09c23fc8e814fe6d0d56f894d168",
}


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
    r, g = M.load_gr(path)
    assert r.dtype == np.float64 and g.dtype == np.float64
    np.testing.assert_allclose(r, R, rtol=0, atol=1e-9)
    np.testing.assert_allclose(g, G, rtol=1e-6, atol=1e-9)


def test_load_gr_accepts_str_paths(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_bytes(GOOD_FILES["plain.txt"])
    assert len(M.load_gr(str(path))[0]) == len(R)


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
        M.load_gr(path)
    msg = str(info.value)
    assert name in msg, msg
    for word in words:
        assert word.lower() in msg.lower(), (word, msg)
    if line is not None:
        assert f"line {line}:" in msg, msg
    assert "expected" in msg.lower(), msg  # says what a good file looks like


def test_load_gr_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such.gr"):
        M.load_gr(tmp_path / "no_such.gr")
    with pytest.raises(ValueError, match="folder"):
        M.load_gr(tmp_path)


def test_load_gr_gives_the_same_numbers_for_a_pathlike_and_a_str(tmp_path):
    path = tmp_path / "pdfgetx3.gr"
    path.write_bytes(GOOD_FILES["pdfgetx3.gr"])
    np.testing.assert_array_equal(M.load_gr(path)[1], M.load_gr(str(path))[1])


# --------------------------------------------------------------------------- headers


def test_read_header_of_the_supported_formats(tmp_path):
    path = tmp_path / "x.gr"
    path.write_bytes(GOOD_FILES["pdfgetx3.gr"])
    header = M.read_header(path)
    assert header["qmin"] == "0.7" and header["qmax"] == "22.0" and header["composition"] == "Au"
    assert M.header_float(header, "qmax") == 22.0 and M.header_float(header, "qmaxinst") == 25.0
    assert M.header_float(header, "composition") is None and M.header_float(header, "nothing") is None
    path.write_bytes(GOOD_FILES["pdfgui.gr"])
    assert M.header_float(M.read_header(path), "qmax") == 25.0
    path.write_bytes(GOOD_FILES["plain.txt"])
    assert M.read_header(path) == {}


@pytest.mark.parametrize("item", M.SHIPPED, ids=lambda f: f.name)
def test_headers_of_the_shipped_files(item):
    header = M.read_header(item.path)
    expected = {"JQ": (1.0, 22.0), "Au144PET": (0.8, 26.0), "Au144pMBA": (1.33, 28.0), "ScattBO": (2.4, 10.0)}
    qmin, qmax = next(v for k, v in expected.items() if item.name.startswith(k))
    assert M.header_float(header, "qmin") == qmin
    assert M.header_float(header, "qmax") == pytest.approx(qmax, abs=0.01)
    assert header["composition"].startswith(item.element)


# --------------------------------------------------------------------------- onto the dataset grid


def test_resample_and_prepare_measured():
    r = np.arange(0, 4001) / 100  # 0 ... 40 Å
    g = 3.0 * np.sin(r)
    on_grid = M.resample(r, g)
    np.testing.assert_allclose(on_grid, 3.0 * np.sin(R_GRID), atol=1e-3)
    x = M.prepare_measured(r, g)
    assert x.shape == (1, 291)
    assert np.abs(x).max() == pytest.approx(1.0)
    np.testing.assert_allclose(x[0], on_grid / np.abs(on_grid).max())
    assert M.prepare_measured(r, g, r_max=20.0).shape == (1, 191)


def test_sinc_resampling_is_exact_on_a_nyquist_grid_where_linear_clips_peaks():
    # a file sampled at the Nyquist step pi/Qmax (0.126 Å at Qmax = 25 Å⁻¹), as PDFgetX3 can write it
    from helpers.pdf import compute_pdf
    from helpers.structures import make_particle

    atoms = make_particle("FCC", "Pt", 3)
    kwargs = {"qmin": 1.0, "qmax": 25.0, "qdamp": 0.03, "biso": 0.5, "delta2": 2.0}
    r = np.arange(0, 480) * np.pi / kwargs["qmax"]  # 0 ... 60 Å
    fine = np.arange(1.0, 30.0, 0.01)
    truth = compute_pdf(atoms, fine, **kwargs)
    sinc = M.resample(r, compute_pdf(atoms, r, **kwargs), fine)
    linear = np.interp(fine, r, compute_pdf(atoms, r, **kwargs))
    peak = np.abs(truth).max()
    assert np.abs(sinc - truth).max() < 0.01 * peak
    assert np.abs(linear - truth).max() > 0.05 * peak  # what linear interpolation does to the peaks
    assert sinc.max() == pytest.approx(truth.max(), rel=0.005)


def test_grid_ends_within_half_a_step_count_as_covered():
    r = np.arange(0, 2999) / 100  # 0 ... 29.98 Å: ends 0.02 Å short of 30
    assert M.prepare_measured(r, np.sin(r)).shape == (1, 291)
    r = np.arange(0, 2001) / 100 - 0.004  # up to 19.996 Å
    assert M.prepare_measured(r[r >= 0], np.sin(r[r >= 0]), r_max=20.0).shape == (1, 191)


def test_resample_says_what_is_missing():
    r = np.arange(150, 2501) / 100  # 1.5 ... 25 Å
    with pytest.raises(ValueError, match=r"missing 1-1\.5 Å at low r and 25-30 Å at high r"):
        M.resample(r, np.sin(r))
    with pytest.raises(ValueError, match="r_max=20"):
        M.prepare_measured(np.arange(0, 2001) / 100, np.ones(2001))  # ends at 20 Å: says how to use it
    with pytest.raises(ValueError, match="high r"):
        M.prepare_measured(np.arange(0, 1501) / 100, np.ones(1501), r_max=20.0)  # ends at 15 Å: refused
    with pytest.raises(ValueError, match="increasing"):
        M.resample(np.arange(0, 4001)[::-1] / 100, np.ones(4001))


def test_non_uniform_grids_are_interpolated_linearly():
    r = np.sort(np.concatenate([np.arange(0, 3001) / 100, [12.345]]))
    np.testing.assert_allclose(M.resample(r, 2 * r), 2 * R_GRID, atol=1e-12)


# --------------------------------------------------------------------------- the shipped measured files


@pytest.mark.parametrize("name", list(PROVENANCE_SHA256))
def test_shipped_files_are_byte_identical_copies(name):
    assert hashlib.sha256((M.MEASURED_DIR / name).read_bytes()).hexdigest() == PROVENANCE_SHA256[name]
    assert name in DATASHEET.read_text(encoding="utf-8")


def test_shipped_files_have_their_licence_and_datasheet():
    assert [f.name for f in M.SHIPPED] == sorted(PROVENANCE_SHA256, key=[f.name for f in M.SHIPPED].index)
    assert set(PROVENANCE_SHA256) == {f.name for f in M.SHIPPED}
    assert "Apache License" in (M.MEASURED_DIR / "LICENSE-Apache-2.0.txt").read_text(encoding="utf-8")
    text = DATASHEET.read_text(encoding="utf-8")
    for commit in ("7b5088eecb0010475f7157665bff8cbbdaa23fc5", "13a991cc682b57a3f1d8d87428b7b678dae87b6b"):
        assert commit in text
    for digest in PROVENANCE_SHA256.values():
        assert digest in text


@pytest.mark.parametrize("item", M.SHIPPED, ids=lambda f: f.name)
def test_every_shipped_file_loads_and_gives_features(item):
    r, g = M.load_gr(item.path)
    assert r[0] == 0.0 and r[-1] >= 20.0
    x = M.prepare_measured(r, g, r_max=20.0)
    assert x.shape == (1, 191) and np.abs(x).max() == pytest.approx(1.0)
    assert M.shipped(item.name) is item


def test_shipped_names_an_unknown_file():
    with pytest.raises(ValueError, match="JQ_S1.gr"):
        M.shipped("JQ_S4.gr")


# --------------------------------------------------------------------------- real files of every classic format

FIXTURES_SHA256 = {  # byte-identical copies of public files (data/measured/README.md), and one derived file
    "Ni_PDFgetX2.gr": "1f1937fc1de5c532c771b30275d75680cfc225502b2b32633af79b8da937bc9b",
    "Ni_xPDFsuite.gr": "5c3f266580026e9261f6924e104530bff96be07399fc425c4b2442cf9793311f",
    "Ni_PDFgui_fit.fgr": "58d8d295f8c8056107977da1df10f8b087eaff40ebdae31a1f22a0bccf5805de",
}


@pytest.mark.parametrize("name", sorted(FIXTURES_SHA256))
def test_format_fixtures_are_the_public_files_and_listed_in_the_datasheet(name):
    assert hashlib.sha256((M.MEASURED_DIR / name).read_bytes()).hexdigest() == FIXTURES_SHA256[name]
    datasheet = (M.MEASURED_DIR / "README.md").read_text(encoding="utf-8")
    assert name in datasheet and FIXTURES_SHA256[name] in datasheet
    assert name in {f.name for f in M.FIXTURES}


def test_pdfgetx2_header_is_read_whole_past_its_numeric_tables():
    path = M.MEASURED_DIR / "Ni_PDFgetX2.gr"
    header = M.read_header(path)
    # '## S(q)  qmin=1.000000    qmax=40.000000    qgrid=0.000000' (line 111), after the numeric detector
    # table of line 29: two key=value pairs of one line, both read
    assert header["qmax"] == "40.000000" and header["qmin"] == "1.000000" and header["qgrid"] == "0.000000"
    assert header["rmax"] == "20.000000" and header["lambda"] == "0.126514"
    m = M.read_pdf(path)
    assert (m.fmt, m.qmin, m.qmax, m.element) == ("PDFgetX2", 1.0, 40.0, "Ni")
    assert m.r[0] == pytest.approx(0.01) and m.r[-1] == pytest.approx(20.0) and m.r.size == 2000


def test_xpdfsuite_file_and_its_pdfgui_fit_export_hold_the_same_data():
    gr = M.read_pdf(M.MEASURED_DIR / "Ni_xPDFsuite.gr")
    assert (gr.fmt, gr.qmin, gr.qmax, gr.element) == ("PDFgetX3/xPDFsuite", 0.1, 27.5, "Ni")
    fgr = M.read_pdf(M.MEASURED_DIR / "Ni_PDFgui_fit.fgr")
    assert (
        fgr.fmt == "PDFgui fit"
        and fgr.qmax == 27.5
        and float(fgr.header["qdamp"]) == pytest.approx(0.0354468)
    )
    # PDFgui writes Gcalc and Gdiff = Gobs - Gcalc: their sum is the measured G of the .gr it was fitted to
    common = np.isin(np.round(gr.r, 4), np.round(fgr.r, 4))
    assert np.allclose(fgr.g, gr.g[common], atol=2e-5 * np.abs(gr.g).max())
    _, g_obs = M.load_gr(M.MEASURED_DIR / "Ni_PDFgui_fit.fgr")  # load_gr gives the fit export's Gobs too
    assert np.allclose(g_obs, fgr.g)
    second_column = np.loadtxt(M.MEASURED_DIR / "Ni_PDFgui_fit.fgr", skiprows=14, usecols=1)
    assert not np.allclose(second_column, fgr.g, atol=1e-3)  # ... not its Gcalc column


def test_a_nyquist_sampled_file_is_read_and_never_asked_for_q_above_pi_over_dr():
    m = M.read_pdf(M.MEASURED_DIR / "Ni_xPDFsuite_nyquist.gr")
    assert m.r_step == pytest.approx(np.pi / 27.5, rel=1e-5) and m.qmax == 27.5
    assert M.estimate_qmax(m.r, m.g) < m.nyquist_qmax
    assert M.read_pdf((m.r, m.g), qmax=27.5).qmax == 27.5  # the right --qmax is accepted
    with pytest.raises(ValueError, match=r"above π/Δr = 27.5"):
        M.read_pdf((m.r, m.g), qmax=40.0)


def test_a_file_without_qmax_gets_no_wrong_suggestion(tmp_path):
    m = M.read_pdf(M.MEASURED_DIR / "Ni_PDFgetX2.gr")  # true Qmax 40; the signal visibly ends near 27
    path = tmp_path / "bare.gr"
    path.write_text("".join(f"{a:.3f} {b:.6f}\n" for a, b in zip(m.r, m.g)), encoding="utf-8")
    with pytest.raises(ValueError, match="no Qmax in its header") as info:
        M.read_pdf(path)
    assert "at least" in str(info.value) and "not below" in str(info.value)
    assert M.estimate_qmax(m.r, m.g) <= 40.0
