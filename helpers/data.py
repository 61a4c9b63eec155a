"""The course dataset of simulated nanoparticle PDFs: its format, and loading it.

``data/pdfs.csv.gz`` holds one simulated G(r) per row (datasheet:
``data/README.md``).  :func:`load_pdfs` reads it; :func:`to_xy` gives the
features and labels scikit-learn wants.  How the rows are simulated is
:mod:`helpers.simulation`, writing the file :mod:`helpers.generate`
(``make data``), reading measured PDF files :mod:`helpers.measured`.

The stored PDFs are *normalised*: each row is divided by its largest |G(r)|
(kept in the ``g_max`` column), because measured PDFs come on arbitrary scales.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

R_GRID: np.ndarray = np.round(np.arange(10, 301) / 10, 1)
"""The dataset's r grid: 1.0, 1.1, ..., 30.0 Å (291 points, built from integers so the values are exact)."""
R_GRID.setflags(write=False)

MEASURED_R_MAX = 20.0
"""The r window (1 to 20 Å) of the models meant for measured files: many files end at 20 Å."""


def _data_dir() -> Path:
    """The shipped data: the checkout's ``data/`` folder, or the copy a wheel installs as ``helpers/_data``."""
    here = Path(__file__).resolve().parent
    checkout = here.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "data").is_dir():
        return checkout / "data"
    return here / "_data"


DATA_DIR: Path = _data_dir()
"""The folder of the shipped data (``data/`` in the course folder; inside the package when installed)."""

DATASET_FILE = "pdfs.csv.gz"
CONDITIONS = ("clean", "experimental")

META_COLUMNS = [
    "structure_type",
    "element",
    "size",
    "shape",
    "n_atoms",
    "diameter",
    "d_nn",
    "condition",
    "qmin",
    "qmax",
    "qdamp",
    "biso",
    "delta2",
    "strain",
    "noise",
    "artefact",
    "scale",
    "g_max",
]
"""The metadata columns of the dataset, in file order; the 291 G(r) columns follow."""

_TEXT_COLUMNS = ("structure_type", "element", "shape", "condition")
_INT_COLUMNS = ("size", "n_atoms")
_G_COLUMN = re.compile(r"^\d+\.\d\d$")


def _r_name(r: float) -> str:
    return f"{r:.2f}"


GR_COLUMNS: list[str] = [_r_name(r) for r in R_GRID]
"""Names of the G(r) columns: ``"1.00"``, ``"1.10"``, ..., ``"30.00"``."""


def gr_columns(df: pd.DataFrame, r_max: float | None = None) -> list[str]:
    """The G(r) column names of ``df`` (``"1.00"`` ... ``"30.00"``) in order, up to ``r_max`` Å if given."""
    cols = [c for c in df.columns if isinstance(c, str) and _G_COLUMN.match(c)]
    if r_max is not None:
        cols = [c for c in cols if float(c) <= r_max + 1e-9]
    return cols


def to_xy(df: pd.DataFrame, target: str = "structure_type", *, r_max: float | None = None):
    """Features and labels for scikit-learn.

    Returns ``X`` (n_rows x 291 float array of normalised G(r)) and ``y`` (the
    ``target`` column as a numpy array, e.g. the structure type names).  With
    ``r_max`` (e.g. :data:`MEASURED_R_MAX`), only the columns up to ``r_max`` Å,
    each row normalised again to max|G| = 1 over that window, as
    :func:`helpers.measured.prepare_measured` does with a measured file.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame (e.g. from load_pdfs()), got {type(df).__name__}")
    if target not in df.columns:
        raise ValueError(
            f"target column {target!r} not in the DataFrame; columns are {', '.join(META_COLUMNS)}"
        )
    cols = gr_columns(df, r_max)
    if not cols:
        raise ValueError("the DataFrame has no G(r) columns (named like '2.50'); is it from load_pdfs()?")
    X = df[cols].to_numpy(dtype=np.float64)
    if r_max is not None:
        X = normalize(X)
    return X, df[target].to_numpy()


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


def load_pdfs(condition: str | None = None, path=None) -> pd.DataFrame:
    """Load the course dataset (``data/pdfs.csv.gz``) as a DataFrame.

    Parameters
    ----------
    condition : ``None`` (all rows), ``"clean"`` or ``"experimental"``.
    path : another dataset file, e.g. one written by ``python -m helpers.generate --out``.

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
            "(or `python -m helpers.generate`) in the course folder."
        )
    dtypes = {c: np.float64 for c in META_COLUMNS}
    dtypes.update({c: str for c in _TEXT_COLUMNS})
    dtypes.update({c: np.int64 for c in _INT_COLUMNS})
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
