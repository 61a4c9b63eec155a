"""Measured PDF files: reading them, their headers, and putting them on the dataset's grid.

* :func:`load_gr` reads a measured PDF file (plain columns, PDFgetX3/xPDFsuite
  or PDFgui ``.gr``) and refuses bad files with a message that names the file
  and the line;
* :func:`read_header` gives the ``key = value`` lines of its header (Qmin,
  Qmax, composition, ...);
* :func:`resample` puts G(r) on another grid by band-limited (sinc)
  interpolation, exact for PDF data, and :func:`prepare_measured` turns a file
  into one row of features for a model trained on the dataset;
* :data:`SHIPPED` lists the six real measured PDFs in ``data/measured/``
  (datasheet: ``data/measured/README.md``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from helpers.data import DATA_DIR, R_GRID, normalize

MEASURED_DIR: Path = DATA_DIR / "measured"
"""The folder of the shipped measured PDFs."""


class MeasuredFile(NamedTuple):
    """One shipped measured PDF and what is known about it (see ``data/measured/README.md``)."""

    name: str
    sample: str
    element: str
    label: str
    confidence: str
    source: str

    @property
    def path(self) -> Path:
        return MEASURED_DIR / self.name


_DEEPSTRUC = "DeepStruc (Kjær et al., Digital Discovery 2023), repository EmilSkaaning/DeepStruc"
SHIPPED: tuple[MeasuredFile, ...] = (
    MeasuredFile(
        "JQ_S1.gr", "Pt nanoparticles in ethylene glycol, synchrotron", "Pt", "FCC", "medium", _DEEPSTRUC
    ),
    MeasuredFile("JQ_S2.gr", "Pt nanoparticles, same series, smaller", "Pt", "FCC", "medium", _DEEPSTRUC),
    MeasuredFile(
        "JQ_S3.gr", "Pt nanoparticles, same series, smallest", "Pt", "FCC", "medium-low", _DEEPSTRUC
    ),
    MeasuredFile(
        "Au144PET_100K-00000.gr",
        "Au144(PET)60 thiolate-protected cluster, 100 K",
        "Au",
        "Icosahedral or Decahedral (not FCC)",
        "low for the class, medium for 'not fcc'",
        _DEEPSTRUC,
    ),
    MeasuredFile(
        "Au144pMBA.gr",
        "Au146(p-MBA)57 cluster, 100 K",
        "Au",
        "twinned fcc core, between FCC and Decahedral",
        "low-medium",
        _DEEPSTRUC,
    ),
    MeasuredFile(
        "ScattBO_Au_labsource.gr",
        "Au sample on a laboratory Mo Kα source (Qmax 10 Å⁻¹)",
        "Au",
        "unknown",
        "-",
        "ScattBO (Anker et al., 2024), repository AndySAnker/ScattBO",
    ),
)
"""The shipped measured PDFs, with the label the literature gives and how sure it is."""

_PDFGUI = "diffpy/diffpy.pdfgui (BSD-3-Clause), tests/testdata/Ni_2-8.chi.gr"
_PYSCATT = "maak-sdu/pyScattData (BSD-3-Clause), pdfgui_fit_plot/example"
FIXTURES: tuple[MeasuredFile, ...] = (
    MeasuredFile("Ni_PDFgetX2.gr", "bulk Ni powder, X-ray, PDFgetX2 (Qmax 40)", "Ni", "FCC (bulk)", "high", _PDFGUI),
    MeasuredFile(
        "Ni_xPDFsuite.gr", "bulk Ni powder in kapton, PETRA III, xPDFsuite (Qmax 27.5)", "Ni", "FCC (bulk)", "high",
        _PYSCATT,
    ),
    MeasuredFile(
        "Ni_PDFgui_fit.fgr", "PDFgui's fit export of Ni_xPDFsuite.gr (Gcalc, Gdiff)", "Ni", "FCC (bulk)", "high",
        _PYSCATT,
    ),
    MeasuredFile(
        "Ni_xPDFsuite_nyquist.gr", "Ni_xPDFsuite.gr resampled onto the Nyquist grid π/Qmax (derived here)", "Ni",
        "FCC (bulk)", "high", "derived from Ni_xPDFsuite.gr (see data/measured/README.md)",
    ),
)  # fmt: skip
"""Real files of the classic formats (PDFgetX2, xPDFsuite, a PDFgui fit export, a Nyquist grid) of bulk Ni."""


def shipped(name: str) -> MeasuredFile:
    """The :class:`MeasuredFile` called ``name`` (e.g. ``"JQ_S1.gr"``)."""
    for item in SHIPPED:
        if item.name == name:
            return item
    raise ValueError(f"no shipped measured file {name!r}: the files are {', '.join(f.name for f in SHIPPED)}")


# --------------------------------------------------------------------------- reading files

_START_DATA = re.compile(r"^#{2,}\s*start\s+data\b", re.IGNORECASE)
_HEADER_ITEM = re.compile(r"^#?\s*([A-Za-z][A-Za-z0-9_ ]*?)\s*=\s*(.*?)\s*$")
_MIN_POINTS = 10
_EXPECTED = (
    "expected a text file with columns r (Å) and G(r): plain whitespace- or comma-separated numbers, "
    "or a PDFgetX3/PDFgui .gr file"
)
_MAGIC = [  # (first bytes, what the file is, what to do)
    (b"\x89PNG", "a PNG image", ""),
    (b"\xff\xd8\xff", "a JPEG image", ""),
    (b"%PDF", "a PDF document", ""),
    (b"PK\x03\x04", "a zip archive (e.g. an Excel .xlsx file)", "export the data as .csv or .txt; "),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (e.g. .xls)", "export the data as .csv or .txt; "),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first; "),
    (b"\xff\xfe", "UTF-16 text", "save it as UTF-8; "),
    (b"\xfe\xff", "UTF-16 text", "save it as UTF-8; "),
]


class _Failure:
    """Makes the ValueError of a bad file: ``"<file>, line <n>: <what is wrong>"``."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, msg: str, line: int | None = None) -> ValueError:
        where = f"{self.name}, line {line}" if line is not None else self.name
        return ValueError(f"{where}: {msg}")


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _read_lines(path: Path, fail: _Failure) -> list[bytes]:
    """The file's lines, after refusing what is not a text file of numbers (images, web pages, ...)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file (looked in {path.resolve().parent})") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a folder, not a file; {_EXPECTED}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise fail(f"the file is empty; {_EXPECTED}")
    for magic, what, advice in _MAGIC:
        if raw.startswith(magic):
            raise fail(f"this is {what}, not a G(r) data file: {advice}{_EXPECTED}")
    if b"\x00" in raw:
        raise fail(f"binary file (contains NUL bytes), not text; {_EXPECTED}")
    head = raw[:2048].lstrip().lower()
    if head.startswith(b"<") or b"<html" in head:
        raise fail(
            "this is a web page (HTML/XML), not a data file: if you saved it from a website, "
            f"download the raw file instead (on GitHub: the 'Raw' button); {_EXPECTED}"
        )
    return raw.splitlines()


def _data_start(lines: list[bytes]) -> int:
    """Index of the first line after a ``#### start data`` marker, or 0 if there is none."""
    for i, line in enumerate(lines):
        if _START_DATA.match(line.decode("utf-8", errors="replace").strip()):
            return i + 1
    return 0


def _split_fields(text: str, delimiter: str) -> list[str]:
    if delimiter == ",":
        fields = [f.strip() for f in text.split(",")]
        if len(fields) > 1 and fields[-1] == "":
            fields.pop()  # a trailing comma, as spreadsheets write
        return fields
    return text.split()


def _parse_rows(lines: list[bytes], start: int, fail: _Failure) -> tuple[list[list[float]], list[int]]:
    """The (r, G) rows of the data block and their line numbers (1-based)."""
    rows: list[list[float]] = []
    line_no: list[int] = []
    ncols = 0
    delimiter: str | None = None
    first_data_line = 0
    in_header = start == 0  # without a marker, leading lines not starting with a number are header
    for i in range(start, len(lines)):
        n = i + 1
        stripped = lines[i].strip()
        if not stripped or stripped.startswith(b"#"):  # blank or comment line (may hold e.g. a Latin-1 'Å')
            continue
        try:
            text = stripped.decode("utf-8")
        except UnicodeDecodeError:
            if in_header:  # a header line in another encoding: harmless
                continue
            raise fail(
                f"contains bytes that are not UTF-8 text - is this a binary file? {_EXPECTED}", n
            ) from None
        if in_header:
            if not _is_number(re.split(r"[,\s]+", text, maxsplit=1)[0]):
                continue
            in_header = False
        if delimiter is None:
            delimiter = "," if "," in text else " "
            first_data_line = n
        fields = _split_fields(text, delimiter)
        if not ncols:
            ncols = len(fields)
            if ncols < 2:
                raise fail(
                    f"found only 1 column ({fields[0]!r}); expected at least two columns, r and G(r) "
                    "(separated by spaces, tabs or commas)",
                    n,
                )
        elif len(fields) != ncols:
            raise fail(
                f"has {len(fields)} columns but line {first_data_line} (the first data line) has {ncols}: "
                "ragged rows; expected the same number of columns on every data line",
                n,
            )
        try:
            values = [float(f) for f in fields]
        except ValueError:
            bad = next(f for f in fields if not _is_number(f))
            decimal_comma = delimiter == "," and (" " in bad or ";" in bad)
            hint = (
                " (decimal commas are not supported: use '.' as decimal separator)" if decimal_comma else ""
            )
            raise fail(
                f"non-numeric value {bad!r}{hint}; expected numbers only in the data lines", n
            ) from None
        if not (math.isfinite(values[0]) and math.isfinite(values[1])):
            raise fail(f"r or G(r) is NaN or infinite ({fields[0]}, {fields[1]}); expected finite numbers", n)
        rows.append(values)
        line_no.append(n)
    return rows, line_no


def _validated(
    rows, line_no, had_marker: bool, fail: _Failure, g_column=None
) -> tuple[np.ndarray, np.ndarray]:
    """r and G as arrays with r ascending, after checking there are enough, non-negative, distinct r."""
    if not rows:
        if had_marker:
            raise fail(f"header only: no data lines after the '#### start data' line; {_EXPECTED}")
        raise fail(
            "no data lines found (lines starting with two or more numbers, r and G(r)): only text, "
            f"header or comment lines - is this the right file? {_EXPECTED}"
        )
    if len(rows) < _MIN_POINTS:
        raise fail(f"only {len(rows)} data points; expected at least {_MIN_POINTS} (r, G) rows")
    data = np.asarray(rows, dtype=np.float64)
    r, g = data[:, 0], data[:, 1] if g_column is None else g_column(data)
    neg = np.flatnonzero(r < 0)
    if neg.size:
        k = neg[0]
        raise fail(f"negative r = {r[k]:g}; expected r >= 0 (r is a distance in Å)", line_no[k])
    dr = np.diff(r)
    dup = np.flatnonzero(dr == 0)
    if dup.size:
        k = dup[0]
        raise fail(
            f"duplicate r = {r[k + 1]:g} (also on line {line_no[k]}); expected each r once", line_no[k + 1]
        )
    wrong = np.flatnonzero(dr > 0) if dr[0] < 0 else np.flatnonzero(dr < 0)
    if wrong.size:
        k = wrong[0]
        raise fail(
            f"r is not monotonic: r = {r[k + 1]:g} follows r = {r[k]:g} (line {line_no[k]}); "
            "expected r strictly increasing (or strictly decreasing)",
            line_no[k + 1],
        )
    if dr[0] < 0:
        r, g = r[::-1], g[::-1]
    return np.ascontiguousarray(r), np.ascontiguousarray(g)


def load_gr(path) -> tuple[np.ndarray, np.ndarray]:
    """Read a measured PDF file and return ``(r, G)`` as float arrays with r ascending.

    Accepted formats (the first two columns are used, further ones such as dr, dG ignored):

    * plain text with two or more whitespace- or comma-separated columns, with
      optional comment lines starting with ``#`` and optional header lines
      (lines not starting with a number) before the data;
    * PDFgetX3/xPDFsuite ``.gr`` files (``key = value`` header, ``#### start data``,
      ``#L r($\\AA$) G($\\AA^{-2}$)``) and PDFgui ``.gr`` files (header,
      ``##### start data``, ``#L r G dr dG``).

    UTF-8 (with or without BOM), Windows (CRLF) line ends and blank lines are
    fine.  A file with r descending is flipped.  Anything else - empty or
    header-only files, images, spreadsheets, web pages, one column, ragged
    rows, text, NaN/inf, negative, duplicate or unsorted r, fewer than 10
    points - raises ValueError naming the file (and the line), so a wrong file
    is never loaded silently.
    """
    path = Path(path)
    fail = _Failure(str(path))
    lines = _read_lines(path, fail)
    start = _data_start(lines)
    rows, line_no = _parse_rows(lines, start, fail)
    return _validated(rows, line_no, start > 0, fail, _fit_export_gobs(lines, start))


def _column_names(lines: list[bytes], start: int) -> list[str]:
    """The names of the ``#L`` line of the data block (``#L r(A) G(r) d_r d_Gr Gdiff``), or []."""
    for raw in lines[start : start + 20] if start else lines[:0]:
        text = raw.decode("utf-8", errors="replace").strip()
        if text.startswith("#L"):
            return [name.lower() for name in text[2:].split()]
    return []


def _is_fit_export(lines: list[bytes], start: int) -> bool:
    return start > 0 and any(b"PDFgui fit" in raw for raw in lines[:start])


def _fit_export_gobs(lines: list[bytes], start: int):
    """For a PDFgui fit export (``.fgr``: ``r Gcalc d_r d_Gcalc Gdiff``), the function giving Gobs.

    PDFgui writes the *calculated* PDF in the second column and Gdiff = Gobs - Gcalc in the
    fifth (``FitDataSet.writeCalcStr``), so the measured G is their sum.  A file whose ``#L``
    line also names a ``Gcalc`` column (as :func:`helpers.identify` writes them) has Gobs in
    the second column already.  None for any other file.
    """
    if not _is_fit_export(lines, start):
        return None
    names = _column_names(lines, start)
    if "gdiff" not in names or "gcalc" in names:
        return None
    k = names.index("gdiff")
    return lambda data: data[:, 1] + data[:, k] if data.shape[1] > k else data[:, 1]


def read_header(path) -> dict[str, str]:
    """Every ``key = value`` item of the header of a PDF file, keys in lower case.

    The header is everything before the ``start data`` marker (or, without one, before
    the first data line), read as a whole: numeric tables inside it (PDFgetX2's detector
    table) are skipped, not taken for data.  Styles read:

    * PDFgetX3/xPDFsuite: one item per line, ``qmax = 26.0``, values may hold spaces
      (``composition = Au144 S60 C180``), ``[section]`` lines skipped;
    * PDFgetX2/PDFgetN and PDFgui: several ``key=value`` items per line, without spaces
      around ``=``: ``## S(q)  qmin=1.000000    qmax=40.000000    qgrid=0.000000``;
    * ``# qmax = 25`` comment lines.

    The first value of a repeated key is kept.  A file without a header gives ``{}``.
    """
    path = Path(path)
    lines = _read_lines(path, _Failure(str(path)))
    start = _data_start(lines)
    header: dict[str, str] = {}
    for raw in lines[: start or len(lines)]:
        text = raw.decode("utf-8", errors="replace").strip()
        if not start and text and _is_number(re.split(r"[,\s]+", text, maxsplit=1)[0]):
            break  # the first data line of a file without a 'start data' marker
        for key, value in _header_items(text):
            header.setdefault(key, value)
    return header


_PAIR = re.compile(r"([A-Za-z][A-Za-z0-9_]*)=(\S*)")


def _header_items(text: str) -> list[tuple[str, str]]:
    """The ``key = value`` items of one header line (see :func:`read_header`)."""
    if "=" not in text or text.startswith("["):
        return []
    if text.count("=") > 1 or re.search(r"\S=\S", text) and not re.search(r"\s=|=\s", text):
        items = _PAIR.findall(text)  # PDFgetX2 style: 'key=value' items without spaces, several a line
        if items:
            return [(k.lower(), v) for k, v in items]
    match = _HEADER_ITEM.match(text.lstrip("#").strip())
    if not match:
        return []
    key = match.group(1).strip().split()[-1].lower()  # '## G(r)  rmax=20' -> 'rmax'
    return [(key, match.group(2))]


def header_float(header: dict[str, str], key: str) -> float | None:
    """``header[key]`` as a number, or None if it is missing or not a number."""
    try:
        value = float(header[key].split()[0])
    except (KeyError, ValueError, IndexError):
        return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- onto the dataset's grid


def resample(r, g, grid=R_GRID) -> np.ndarray:
    """Put a measured G(r) on ``grid`` (default: the dataset's 1.0-30.0 Å).

    A PDF is band-limited: its F(Q) is zero beyond Qmax, and a file sampled at a
    step ≤ π/Qmax holds it exactly.  On a uniform r grid this uses that
    (Whittaker-Shannon, sinc interpolation), which is exact between the samples
    even for a file sampled at the Nyquist step π/Qmax, where linear
    interpolation cuts peaks by several per cent.  A non-uniform r grid is
    interpolated linearly.

    ``r`` must be strictly increasing (as :func:`load_gr` returns it) and must
    cover ``grid``: an end within half a grid step (29.99 Å for 30.0 Å) counts as
    covered; otherwise a ValueError says which part is missing - we do not
    extrapolate.
    """
    r = np.asarray(r, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    grid = np.asarray(grid, dtype=np.float64)
    if r.ndim != 1 or g.ndim != 1 or r.shape != g.shape:
        raise ValueError(f"r and g must be 1-D arrays of the same length, got shapes {r.shape} and {g.shape}")
    if len(r) < 2:
        raise ValueError(f"need at least two points to resample, got {len(r)}")
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(g))):
        raise ValueError("r and g must not contain NaN or infinite values")
    step = np.diff(r)
    if not np.all(step > 0):
        raise ValueError("r must be strictly increasing (load_gr returns it so)")
    half = 0.5 * float(np.min(np.diff(grid))) if grid.size > 1 else 1e-6
    missing = []
    if r[0] > grid[0] + half:
        missing.append(f"{grid[0]:g}-{r[0]:g} Å at low r")
    if r[-1] < grid[-1] - half:
        missing.append(f"{r[-1]:g}-{grid[-1]:g} Å at high r")
    if missing:
        raise ValueError(
            f"the measured r range {r[0]:g}-{r[-1]:g} Å does not cover the grid "
            f"{grid[0]:g}-{grid[-1]:g} Å: missing {' and '.join(missing)}. "
            "Re-process the data (e.g. with PDFgetX3: rmin/rmax) so that it covers the grid, "
            "or use a shorter window (prepare_measured(r, g, r_max=20.0) for files that end at 20 Å)."
        )
    h = float(np.mean(step))
    if np.max(np.abs(step - h)) > 1e-6 * h:  # not uniform: linear interpolation
        return np.interp(grid, r, g)
    if abs(r[0]) < 1e-6 * h:  # G is odd in r, G(-r) = -G(r): the samples below r = 0 are known too
        r = np.concatenate([-r[:0:-1], r])
        g = np.concatenate([-g[:0:-1], g])
    result = np.empty(grid.size)
    for start in range(0, grid.size, 256):  # a few MB of sinc weights at a time
        part = grid[start : start + 256]
        result[start : start + 256] = np.sinc((part[:, None] - r[None, :]) / h) @ g
    return result


def prepare_measured(r, g, *, r_max: float | None = None) -> np.ndarray:
    """A measured G(r), ready for a model trained on :func:`helpers.data.load_pdfs` data.

    Resamples onto :data:`helpers.data.R_GRID` (up to ``r_max`` Å if given, e.g.
    :data:`helpers.data.MEASURED_R_MAX` = 20 for files that end at 20 Å) with
    :func:`resample`, and normalises to max|G| = 1 (:func:`helpers.data.normalize`),
    exactly as ``to_xy(df, r_max=r_max)`` gives the dataset's rows.  Returns a 2-D
    array of shape (1, n): one row, so ``model.predict(prepare_measured(r, g))``
    works directly.

    Example::

        r, g = load_gr(shipped("JQ_S1.gr").path)
        model.predict(prepare_measured(r, g, r_max=20.0))   # model trained on to_xy(df, r_max=20.0)
    """
    grid = R_GRID if r_max is None else R_GRID[R_GRID <= r_max + 1e-9]
    if grid.size < 2:
        raise ValueError(f"r_max = {r_max} Å leaves fewer than two points of the grid (it starts at 1 Å)")
    return normalize(resample(r, g, grid))[np.newaxis, :]


# --------------------------------------------------------------------------- one measured PDF, read once


@dataclass(frozen=True)
class MeasuredPDF:
    """A measured PDF, read once: data, Q range of its Fourier transform, element and header.

    ``qmin``/``qmax`` (Å⁻¹) are those the data were transformed with; ``element`` is the first
    course metal of the header's composition (None if none is named); ``fmt`` the program that
    wrote the file ("PDFgetX2", "PDFgetX3/xPDFsuite", "PDFgui fit", "PDFgui/PDFgetN" or "columns").
    """

    name: str
    r: np.ndarray
    g: np.ndarray
    qmin: float
    qmax: float
    element: str | None = None
    header: dict = field(default_factory=dict)
    fmt: str = "columns"

    @property
    def r_step(self) -> float:
        """The median r step (Å)."""
        return float(np.median(np.diff(self.r)))

    @property
    def nyquist_qmax(self) -> float:
        """π/Δr (Å⁻¹): the highest Q the r grid can hold; the file's F(Q) above it is aliased."""
        return math.pi / self.r_step


def _format_of(path: Path, header: dict) -> str:
    text = path.read_bytes()[:4096]
    if b"PDFgui fit" in text:
        return "PDFgui fit"
    if b"Get_XPDF" in text or b"pdfgetx2" in text.lower():
        return "PDFgetX2"
    if b"PDFgetN" in text or b"##### Run Information" in text:
        return "PDFgui/PDFgetN"
    if b"xPDFsuite" in text or b"pdfgetx" in text.lower() or "qmaxinst" in header:
        return "PDFgetX3/xPDFsuite"
    return "columns" if not header else "PDFgui/PDFgetN"


def estimate_qmax(r, g) -> float:
    """A lower bound (Å⁻¹) on the Qmax of a PDF's Fourier transform: where its F(Q) still holds signal.

    F(Q) = ∫ G(r) sin(Qr) dr is computed only below π/Δr, the highest Q an r grid of step Δr
    can hold (above it the sine transform of the samples aliases: a Nyquist-sampled file,
    Δr = π/Qmax, shows false "signal" there).  Thermal motion damps F(Q) well before Qmax,
    so the true Qmax is often 10-40 % higher: use this to catch a wrong header, never as Qmax.
    """
    r, g = np.asarray(r, dtype=float), np.asarray(g, dtype=float)
    keep = r <= min(float(r[-1]), 30.0)
    r, g = r[keep], g[keep]
    dr = np.diff(r)
    weights = np.concatenate([dr, [0.0]]) * 0.5 + np.concatenate([[0.0], dr]) * 0.5  # trapezoid
    q_top = min(60.0, 0.98 * math.pi / float(np.median(dr)))
    q = np.arange(0.5, q_top, 0.05)
    spectrum = np.abs(np.sin(np.outer(q, r)) @ (g * weights))
    smooth = np.convolve(spectrum, np.ones(9) / 9, mode="same")
    strong = q[smooth > 0.05 * smooth[q > 1.5].max()]
    return float(strong.max())


_ELEMENT = re.compile(r"[A-Z][a-z]?")


def element_of(composition: str | None) -> str | None:
    """The first chemical symbol of a composition such as ``"Au144 S60 C180"``, if it is a course metal."""
    from helpers.structures import ELEMENTS

    if not composition:
        return None
    match = _ELEMENT.search(composition)
    return match.group(0) if match and match.group(0) in ELEMENTS else None


def _header_element(header: dict) -> str | None:
    element = element_of(header.get("composition"))
    if element is None and "symbol" in header:
        element = element_of(header["symbol"])
    return element


def _pdfgetx2_element(path: Path) -> str | None:
    """The element of PDFgetX2's sample table (``#L symbol valence ...`` then ``  Ni  0.00 ...``)."""
    lines = path.read_bytes().splitlines()
    for i, raw in enumerate(lines[:-1]):
        if raw.strip().startswith(b"#L symbol"):
            return element_of(lines[i + 1].decode("utf-8", errors="replace").split()[0])
    return None


def read_pdf(source, *, qmax: float | None = None, qmin: float | None = None) -> MeasuredPDF:
    """Read a measured PDF once into a :class:`MeasuredPDF`: data, Q range, element and header.

    ``source`` is a file (any format :func:`load_gr` reads; a PDFgui fit export gives its
    Gobs = Gcalc + Gdiff) or an ``(r, g)`` pair.  Qmin, Qmax and the composition come from
    the header (:func:`read_header`); ``qmax``/``qmin`` override them (Qmin defaults to 0,
    as PDFgetX3 and PDFgui assume).  Raises ValueError naming the input when there is no
    Qmax, or when the stated Qmax contradicts the data: F(Q) with clear signal above it.
    A grid sampled at the Nyquist step π/Qmax (or coarser than the data's signal) is fine:
    nothing above π/Δr is ever estimated or required.
    """
    from helpers.validation import check_scalar

    if isinstance(source, (str, Path)):
        path = Path(source)
        name = str(source)
        r, g = load_gr(path)
        header = read_header(path)
        fmt = _format_of(path, header)
        element = _header_element(header) or (_pdfgetx2_element(path) if fmt == "PDFgetX2" else None)
    else:
        name = "the (r, g) data"
        try:
            r, g = (np.asarray(a, dtype=float) for a in source)
        except (TypeError, ValueError):
            raise ValueError("expected a file path or a pair (r, g) of arrays") from None
        if r.ndim != 1 or r.shape != g.shape or r.size < 10:
            raise ValueError(
                f"{name}: r and g must be 1-D arrays of the same length (>= 10), got {r.shape}, {g.shape}"
            )
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(g)) and np.all(np.diff(r) > 0)):
            raise ValueError(f"{name}: r must be strictly increasing and r, g finite")
        header, fmt, element = {}, "columns", None
    nyquist = math.pi / float(np.median(np.diff(r)))
    q_max = qmax if qmax is not None else header_float(header, "qmax")
    if q_max is None:
        raise ValueError(
            f"{name}: no Qmax in its header; pass qmax= (the Qmax of its Fourier transform, Å⁻¹; the data "
            f"processing program's settings say it: PDFgetX3 'qmax', PDFgetX2 'S(q) qmax'). Its F(Q) shows "
            f"signal up to at least {estimate_qmax(r, g):.0f} Å⁻¹, so Qmax is not below that."
        )
    q_max = check_scalar(q_max, f"{name}: qmax", min_val=0.0, include_boundaries="neither", unit="Å⁻¹")
    q_min = qmin if qmin is not None else header_float(header, "qmin")
    q_min = check_scalar(0.0 if q_min is None else q_min, f"{name}: qmin", unit="Å⁻¹")
    if not (0.0 <= q_min < q_max):
        raise ValueError(f"{name}: qmin = {q_min} Å⁻¹ must be >= 0 and below qmax = {q_max} Å⁻¹")
    if q_max > 1.02 * nyquist:
        raise ValueError(
            f"{name}: Qmax = {q_max:g} Å⁻¹ is above π/Δr = {nyquist:.1f} Å⁻¹, the most its r step "
            f"{math.pi / nyquist:.4g} Å can hold; re-process the data on a finer r grid (rstep ≤ π/Qmax)"
        )
    seen = estimate_qmax(r, g)
    if seen > 1.15 * q_max + 1.0 or seen < 0.4 * q_max:
        where = "the header's" if qmax is None else "the given"
        raise ValueError(
            f"{name}: {where} Qmax = {q_max:g} Å⁻¹ contradicts the data, whose F(Q) has signal up to about "
            f"{seen:.1f} Å⁻¹; pass the right qmax="
        )
    return MeasuredPDF(name, r, g, float(q_min), float(q_max), element, header, fmt)
