"""The course dataset of simulated nanoparticle PDFs, and reading measured PDF files.

Two jobs, one module:

* **The dataset.** :func:`generate_dataset` simulates G(r) for every structure
  type x element x size of :mod:`helpers.structures` under two conditions,
  ``clean`` (fixed, ideal instrument parameters) and ``experimental`` (random
  instrument resolution, thermal motion, lattice strain and noise).
  ``python -m helpers.data`` (``make data``) writes it to ``data/pdfs.csv.gz``;
  :func:`load_pdfs` reads it back.  ``data/README.md`` is its datasheet.
* **Measured data.** :func:`load_gr` reads a measured PDF file (plain columns,
  PDFgetX3 or PDFgui ``.gr``) and refuses bad files with a message that names
  the file and the line; :func:`prepare_measured` puts it on the dataset's grid
  and scale so a model trained on the dataset can classify it.

The stored PDFs are *normalised*: each row is divided by its largest |G(r)|
(kept in the ``g_max`` column), because measured PDFs come on arbitrary scales.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import io
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

R_GRID: np.ndarray = np.round(np.arange(10, 301) / 10, 1)
"""The dataset's r grid: 1.0, 1.1, ..., 30.0 Å (291 points, built from integers so the values are exact)."""
R_GRID.setflags(write=False)

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "data"
"""The repository's ``data/`` folder."""

DATASET_FILE = "pdfs.csv.gz"
EXAMPLE_FILE = "example.gr"
DEFAULT_SEED = 2025
"""Seed of the published dataset (``python -m helpers.data --seed``)."""

CONDITIONS = ("clean", "experimental")

CLEAN_PARAMS = {"qmin": 0.7, "qmax": 25.0, "qdamp": 0.04, "biso": 0.3, "strain": 0.0, "noise": 0.0}
"""Parameters of every ``clean`` row."""

EXPERIMENTAL_RANGES = {
    "qmax": (12.0, 25.0),  # Å^-1, instrument / measurement range
    "qdamp": (0.01, 0.05),  # Å^-1, instrument resolution
    "biso": (0.1, 1.0),  # Å^2, thermal (Debye-Waller) factor
    "strain": (-0.02, 0.02),  # isotropic lattice strain: d_nn -> d_nn * (1 + strain)
    "noise": (0.005, 0.03),  # Gaussian noise sigma, as a fraction of max|G|
}
"""Ranges of the uniform random parameters of ``experimental`` rows (qmin stays 0.7 Å⁻¹).

Per row they are drawn in this order (then the 291 noise values), from one
``numpy.random.Generator(PCG64(seed))`` in the order of the rows."""

_DECIMALS = {"qmax": 2, "qdamp": 4, "biso": 3, "strain": 4, "noise": 4}
META_COLUMNS = [
    "structure_type",
    "element",
    "size",
    "n_atoms",
    "diameter",
    "d_nn",
    "condition",
    "qmin",
    "qmax",
    "qdamp",
    "biso",
    "strain",
    "noise",
    "g_max",
]
"""The metadata columns of the dataset, in file order; the 291 G(r) columns follow."""

G_DECIMALS = 4
EXAMPLE_SEED = 4
"""Seed of the noise in ``data/example.gr``."""

_G_COLUMN = re.compile(r"^\d+\.\d\d$")


def _r_name(r: float) -> str:
    return f"{r:.2f}"


GR_COLUMNS: list[str] = [_r_name(r) for r in R_GRID]
"""Names of the G(r) columns: ``"1.00"``, ``"1.10"``, ..., ``"30.00"``."""


# --------------------------------------------------------------------------- small helpers


def gr_columns(df: pd.DataFrame) -> list[str]:
    """The G(r) column names of ``df`` (``"1.00"`` ... ``"30.00"``), in order."""
    return [c for c in df.columns if isinstance(c, str) and _G_COLUMN.match(c)]


def to_xy(df: pd.DataFrame, target: str = "structure_type") -> tuple[np.ndarray, np.ndarray]:
    """Features and labels for scikit-learn.

    Returns ``X`` (n_rows x 291 float array of normalised G(r)) and ``y`` (the
    ``target`` column as a numpy array, e.g. the structure type names).
    """
    if target not in df.columns:
        raise ValueError(
            f"target column {target!r} not in the DataFrame; columns are {', '.join(META_COLUMNS)}"
        )
    cols = gr_columns(df)
    if not cols:
        raise ValueError("the DataFrame has no G(r) columns (named like '2.50'); is it from load_pdfs()?")
    return df[cols].to_numpy(dtype=np.float64), df[target].to_numpy()


def normalize(g) -> np.ndarray:
    """The course's normalisation: divide G(r) by its largest absolute value.

    Works on one PDF (1-D) or on a stack of PDFs (2-D, one per row).  The
    result has max |G| = 1, so PDFs on different (arbitrary) scales can be
    compared.  Raises ValueError for an all-zero or non-finite G.
    """
    g = np.asarray(g, dtype=np.float64)
    if g.ndim not in (1, 2) or g.shape[-1] == 0:
        raise ValueError(f"normalize expects a 1-D G(r) or a 2-D stack of them, got shape {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("cannot normalise G(r): it contains NaN or infinite values")
    gmax = np.max(np.abs(g), axis=-1, keepdims=True)
    if np.any(gmax == 0):
        raise ValueError("cannot normalise G(r): it is zero everywhere")
    return g / gmax


def resample(r, g, grid=R_GRID) -> np.ndarray:
    """Put a measured G(r) on the dataset grid (linear interpolation, :func:`numpy.interp`).

    ``r`` must be strictly increasing (as :func:`load_gr` returns it) and must
    cover the whole ``grid`` (1.0 to 30.0 Å for the dataset); otherwise a
    ValueError says which part is missing - we do not extrapolate.
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
    if not np.all(np.diff(r) > 0):
        raise ValueError("r must be strictly increasing (load_gr returns it so)")
    tol = 1e-6  # Å: files often store 29.999999 for 30
    missing = []
    if r[0] > grid[0] + tol:
        missing.append(f"{grid[0]:g}-{r[0]:g} Å at low r")
    if r[-1] < grid[-1] - tol:
        missing.append(f"{r[-1]:g}-{grid[-1]:g} Å at high r")
    if missing:
        raise ValueError(
            f"the measured r range {r[0]:g}-{r[-1]:g} Å does not cover the dataset grid "
            f"{grid[0]:g}-{grid[-1]:g} Å: missing {' and '.join(missing)}. "
            "Re-process the data (e.g. with PDFgetX3: rmin/rmax) so that it covers the grid."
        )
    return np.interp(grid, r, g)


def prepare_measured(r, g) -> np.ndarray:
    """A measured G(r), ready for a model trained on :func:`load_pdfs` data.

    Resamples onto :data:`R_GRID` (:func:`resample`) and normalises to
    max |G| = 1 (:func:`normalize`), exactly as the dataset rows are stored.
    Returns a 2-D array of shape (1, 291): one row with the same 291 features
    as ``X`` from :func:`to_xy`, so ``model.predict(prepare_measured(r, g))``
    works directly.

    Example::

        r, g = load_gr("data/example.gr")
        model.predict(prepare_measured(r, g))
    """
    return normalize(resample(r, g))[np.newaxis, :]


# --------------------------------------------------------------------------- files


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed and
    fsync'ed, and the temporary file then replaces ``path`` in one step
    (:func:`os.replace`).  If anything fails, ``path`` keeps its old content and
    the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; data files are for everyone to read
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def sha256_file(path) -> str:
    """Hex SHA-256 of a file (as listed in ``data/README.md``)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def dataset_bytes(df: pd.DataFrame) -> bytes:
    """The dataset as gzip-compressed CSV bytes, identical on every run (gzip mtime 0, no file name)."""
    text = df.to_csv(index=False, lineterminator="\n")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="", compresslevel=6) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def write_dataset(df: pd.DataFrame, path) -> Path:
    """Write ``df`` as gzip-compressed CSV to ``path`` (atomically, byte-reproducibly). Returns the path."""
    path = Path(path)
    atomic_write_bytes(path, dataset_bytes(df))
    return path


def load_pdfs(condition: str | None = None, path=None) -> pd.DataFrame:
    """Load the course dataset (``data/pdfs.csv.gz``) as a DataFrame.

    Parameters
    ----------
    condition : ``None`` (all rows), ``"clean"`` or ``"experimental"``.
    path : another dataset file, e.g. one written by ``python -m helpers.data --out``.

    One row per simulated PDF: metadata columns (:data:`META_COLUMNS`; text
    columns are plain strings, ``size`` and ``n_atoms`` integers) followed by
    291 columns of normalised G(r) (float64) named by their r in Å,
    ``"1.00"`` ... ``"30.00"``.  Use :func:`to_xy` to get ``X, y``.
    """
    if condition is not None and condition not in CONDITIONS:
        raise ValueError(f"condition must be None, 'clean' or 'experimental', got {condition!r}")
    path = DATA_DIR / DATASET_FILE if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"dataset file {path} not found. Generate it by running `make data` "
            "(or `python -m helpers.data`) in the course folder."
        )
    dtypes = {c: np.float64 for c in META_COLUMNS}
    dtypes.update(
        {"structure_type": str, "element": str, "condition": str, "size": np.int64, "n_atoms": np.int64}
    )
    dtypes.update({c: np.float64 for c in GR_COLUMNS})
    df = pd.read_csv(path, dtype=dtypes, engine="c", na_filter=False)
    if list(df.columns) != META_COLUMNS + GR_COLUMNS:
        raise ValueError(
            f"{path} does not have the dataset's columns ({len(META_COLUMNS)} metadata + 291 G(r)); "
            "regenerate it with `make data`"
        )
    if condition is not None:
        df = df[df["condition"] == condition].reset_index(drop=True)
    return df


# --------------------------------------------------------------------------- reading measured PDFs

_START_DATA = re.compile(r"^#{2,}\s*start\s+data\b", re.IGNORECASE)
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


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def load_gr(path) -> tuple[np.ndarray, np.ndarray]:
    """Read a measured PDF file and return ``(r, G)`` as float arrays with r ascending.

    Accepted formats (the first two columns are used, further ones such as dr, dG ignored):

    * plain text with two or more whitespace- or comma-separated columns, with
      optional comment lines starting with ``#`` and optional header lines
      (lines not starting with a number) before the data;
    * PDFgetX3 ``.gr`` files (``key = value`` header, ``#### start data``,
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
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{name}: no such file (looked in {path.resolve().parent})") from None
    except IsADirectoryError:
        raise ValueError(f"{name} is a folder, not a file; {_EXPECTED}") from None

    def fail(msg: str, line: int | None = None) -> ValueError:
        where = f"{name}, line {line}" if line is not None else name
        return ValueError(f"{where}: {msg}")

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
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")) or b"<html" in head:
        raise fail(
            "this is a web page (HTML/XML), not a data file: if you saved it from a website, "
            f"download the raw file instead (on GitHub: the 'Raw' button); {_EXPECTED}"
        )

    lines = raw.splitlines()
    # Where does the data start?  After a '#### start data' marker if there is one.
    start = 0
    for i, b in enumerate(lines):
        if _START_DATA.match(b.decode("utf-8", errors="replace").strip()):
            start = i + 1
            break
    had_marker = start > 0

    rows: list[list[float]] = []
    line_no: list[int] = []
    ncols = 0
    delimiter: str | None = None
    first_data_line = 0
    in_header = not had_marker  # without a marker, leading lines not starting with a number are header
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
            first = re.split(r"[,\s]+", text, maxsplit=1)[0]
            if not _is_number(first):
                continue
            in_header = False
        if delimiter is None:
            delimiter = "," if "," in text else " "
            first_data_line = n
        if delimiter == ",":
            fields = [f.strip() for f in text.split(",")]
            if len(fields) > 1 and fields[-1] == "":
                fields.pop()  # a trailing comma, as spreadsheets write
        else:
            fields = text.split()
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
        rows.append(values[:2])
        line_no.append(n)

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
    r, g = data[:, 0], data[:, 1]
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
    if dr[0] < 0:
        wrong = np.flatnonzero(dr > 0)
    else:
        wrong = np.flatnonzero(dr < 0)
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


def _format_number(x: float) -> str:
    s = f"{x:.8g}"
    return "0" if s in ("-0", "0") else s


def write_gr(path, r, g, *, header: Mapping | None = None) -> Path:
    """Write ``(r, G)`` as a PDFgetX3-style ``.gr`` text file (atomically, UTF-8, ``\\n`` line ends).

    ``header`` is an optional dict of ``key: value`` lines written under
    ``[DEFAULT]``; a value that is itself a dict becomes a ``[section]``.
    The numbers follow ``#### start data`` and a ``#L r($\\AA$) G($\\AA^{-2}$)``
    line, so :func:`load_gr` (and PDFgui/PDFgetX3) can read the file.
    """
    r = np.asarray(r, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    if r.ndim != 1 or r.shape != g.shape:
        raise ValueError(f"r and g must be 1-D arrays of the same length, got shapes {r.shape} and {g.shape}")
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(g))):
        raise ValueError("r and g must not contain NaN or infinite values")

    def clean(x) -> str:
        s = str(x)
        if "\n" in s or "\r" in s:
            raise ValueError(f"header entries must be single lines, got {s!r}")
        return s

    out = ["[DEFAULT]", ""]
    sections = []
    for key, value in (header or {}).items():
        if isinstance(value, Mapping):
            sections.append((key, value))
        else:
            out.append(f"{clean(key)} = {clean(value)}")
    for section, items in sections:
        out += ["", f"[{clean(section)}]"]
        out += [f"{clean(k)} = {clean(v)}" for k, v in items.items()]
    out += ["", "#### start data", "#S 1", "#L r($\\AA$)  G($\\AA^{-2}$)"]
    out += [f"{_format_number(a)} {_format_number(b)}" for a, b in zip(r.tolist(), g.tolist())]
    path = Path(path)
    atomic_write_bytes(path, ("\n".join(out) + "\n").encode("utf-8"))
    return path


# --------------------------------------------------------------------------- generating the dataset


@lru_cache(maxsize=64)
def _unit_geometry(structure_type: str, size: int) -> tuple[int, float, np.ndarray]:
    """(n_atoms, diameter, pair distances) of the particle with nearest-neighbour distance 1."""
    from scipy.spatial.distance import pdist

    from helpers.structures import make_particle

    pos = make_particle(structure_type, "Au", size, d_nn=1.0).get_positions()
    d = pdist(pos)
    d.setflags(write=False)
    return len(pos), float(d.max()) if d.size else 0.0, d


def _round(x: float, decimals: int) -> float:
    return round(float(x), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def generate_dataset(
    seed: int = DEFAULT_SEED,
    n_experimental: int = 5,
    progress: bool = True,
    *,
    types: Iterable[str] | None = None,
    elements: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Simulate the course dataset (see ``data/README.md``).

    For every structure type x element x size of :mod:`helpers.structures`
    (in that nesting order): one ``clean`` row and ``n_experimental``
    ``experimental`` rows whose parameters are drawn from
    :data:`EXPERIMENTAL_RANGES`.  G(r) is computed on :data:`R_GRID` with the
    *rounded* parameters stored in the row, noise is added, and the row is
    normalised (:func:`normalize`; ``g_max`` keeps the maximum |G| in Å⁻²).

    All randomness comes from one ``Generator(PCG64(seed))`` consumed in row
    order, so the result is the same on every run.  ``types`` / ``elements``
    restrict the dataset (for quick tests; the random stream then differs from
    the full dataset's).
    """
    from tqdm.auto import tqdm

    from helpers.pdf import pdf_from_distances
    from helpers.structures import ELEMENTS, SIZES, STRUCTURE_TYPES, nearest_neighbour_distance

    types = STRUCTURE_TYPES if types is None else tuple(types)
    elements = ELEMENTS if elements is None else tuple(elements)
    bad = [t for t in types if t not in STRUCTURE_TYPES]
    if bad:
        raise ValueError(f"unknown structure types {bad}: expected some of {', '.join(STRUCTURE_TYPES)}")
    if (
        isinstance(n_experimental, bool)
        or not isinstance(n_experimental, (int, np.integer))
        or n_experimental < 0
    ):
        raise ValueError(f"n_experimental must be a non-negative integer, got {n_experimental!r}")
    d_bulk = {el: nearest_neighbour_distance(el) for el in elements}  # also validates the symbols

    rng = np.random.Generator(np.random.PCG64(seed))
    n_rows = sum(len(SIZES[t]) for t in types) * len(elements) * (1 + n_experimental)
    meta: list[list] = []
    g_rows = np.empty((n_rows, len(R_GRID)))
    lo_hi = [(k, *EXPERIMENTAL_RANGES[k]) for k in ("qmax", "qdamp", "biso", "strain", "noise")]
    with tqdm(total=n_rows, desc="simulating PDFs", unit="PDF", disable=not progress) as bar:
        for stype in types:
            for element in elements:
                for size in SIZES[stype]:
                    n_atoms, unit_diam, unit_dist = _unit_geometry(stype, size)
                    scaled = np.empty_like(unit_dist)  # reused: no new large array per row
                    for k in range(1 + n_experimental):
                        if k == 0:
                            condition, p = "clean", dict(CLEAN_PARAMS)
                            noise_unit = None
                        else:
                            condition = "experimental"
                            p = {"qmin": CLEAN_PARAMS["qmin"]}
                            for key, lo, hi in lo_hi:
                                p[key] = _round(rng.uniform(lo, hi), _DECIMALS[key])
                            noise_unit = rng.standard_normal(len(R_GRID))
                        d_nn = _round(d_bulk[element] * (1.0 + p["strain"]), 4)
                        g = pdf_from_distances(
                            np.multiply(unit_dist, d_nn, out=scaled),
                            n_atoms,
                            R_GRID,
                            qmin=p["qmin"],
                            qmax=p["qmax"],
                            qdamp=p["qdamp"],
                            biso=p["biso"],
                        )
                        if noise_unit is not None:
                            g = g + noise_unit * (p["noise"] * np.max(np.abs(g)))
                        g_max = float(np.max(np.abs(g)))
                        i = len(meta)
                        g_rows[i] = g / g_max
                        meta.append(
                            [
                                stype,
                                element,
                                int(size),
                                n_atoms,
                                _round(unit_diam * d_nn, 2),
                                d_nn,
                                condition,
                                p["qmin"],
                                p["qmax"],
                                p["qdamp"],
                                p["biso"],
                                p["strain"],
                                p["noise"],
                                _round(g_max, 4),
                            ]
                        )
                        bar.update()
    df = pd.DataFrame(meta, columns=META_COLUMNS)
    g_df = pd.DataFrame(np.round(g_rows, G_DECIMALS) + 0.0, columns=GR_COLUMNS)
    return pd.concat([df, g_df], axis=1)


def make_example(seed: int = EXAMPLE_SEED) -> tuple[np.ndarray, np.ndarray, dict]:
    """The simulated "measured" PDF of ``data/example.gr``: r, G (Å⁻², not normalised) and its header.

    A decahedral Au particle (size 4) with experimental-like parameters, on
    r = 0.01 ... 40 Å in steps of 0.01 Å - finer and wider than the dataset
    grid, as real files are.
    """
    from helpers.pdf import compute_pdf
    from helpers.structures import diameter, make_particle

    params = {"qmin": 0.7, "qmax": 20.0, "qdamp": 0.03, "biso": 0.6}
    noise = 0.015
    atoms = make_particle("Decahedral", "Au", 4)
    r = np.arange(1, 4001) / 100.0
    g = compute_pdf(atoms, r, **params)
    rng = np.random.Generator(np.random.PCG64(seed))
    g = g + rng.standard_normal(len(r)) * (noise * np.max(np.abs(g)))
    header = {
        "source": "SIMULATED by the 'ML for Chemistry' course code (helpers.data.make_example), not measured",
        "note": "a teaching example of a measured-style PDF file; it is not PDFgetX3 output",
        "PDF parameters": {
            "structure": f"decahedral Au nanoparticle, helpers.structures.make_particle('Decahedral', 'Au', 4), "
            f"{len(atoms)} atoms, diameter {diameter(atoms):.2f} A",
            "simulator": "helpers.pdf.compute_pdf",
            "qmin": f"{params['qmin']}",
            "qmax": f"{params['qmax']}",
            "qdamp": f"{params['qdamp']}",
            "biso": f"{params['biso']}",
            "noise": f"Gaussian, sigma = {noise} x max|G| (numpy PCG64 seed {seed})",
            "rmin": "0.01",
            "rmax": "40.0",
            "rstep": "0.01",
        },
    }
    return r, g, header


def write_all(out_dir, *, seed: int = DEFAULT_SEED, progress: bool = True) -> dict[str, Path]:
    """Generate and write the dataset and the example file into ``out_dir``. Returns the paths."""
    out_dir = Path(out_dir)
    df = generate_dataset(seed=seed, progress=progress)
    paths = {"dataset": write_dataset(df, out_dir / DATASET_FILE)}
    r, g, header = make_example()
    paths["example"] = write_gr(out_dir / EXAMPLE_FILE, r, g, header=header)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.data [--out DIR] [--seed N] [--quiet]``."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.data",
        description=f"Simulate the course dataset ({DATASET_FILE}) and the example measured-style file "
        f"({EXAMPLE_FILE}).",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    paths = write_all(args.out, seed=args.seed, progress=not args.quiet)
    elapsed = time.perf_counter() - t0
    if not args.quiet:
        df = load_pdfs(path=paths["dataset"])
        counts = df.groupby(["structure_type", "condition"], sort=False).size().unstack("condition")
        print(f"{len(df)} rows x {df.shape[1]} columns, seed {args.seed}, {elapsed:.1f} s")
        print(counts.to_string())
        for p in paths.values():
            print(f"{p}: {p.stat().st_size} bytes, sha256 {sha256_file(p)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
