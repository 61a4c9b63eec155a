"""The perceptron of session 2: its learning algorithm (PLA) and its 2-D toy data.

The PLA here (:func:`pla_history`) is the engine of the perceptron pictures
(:mod:`helpers.widgets.perceptron`) and of session 2's separability and pocket
experiments; in the notebook the students write their own.  It follows the lecture:

* a point ``x = (x1, ..., xd)`` gets the bias coordinate ``x0 = 1``;
* the model is ``h(x) = sign(w·x)`` with ``h = +1`` when ``w·x >= 0`` and ``-1`` otherwise;
* ``w`` starts random (``numpy.random.default_rng(seed)``); while a point is
  misclassified, one of them is picked at random and ``w <- w + y x``.

The toy data (:func:`second_shell_features`): for every FCC and BCC particle,
G(r) read at the BCC second-neighbour distance (2/√3 d_nn) and at the FCC
second-neighbour distance (√2 d_nn), with ``y = +1`` for FCC and ``-1`` for BCC.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from helpers.validation import check_scalar

BCC_SECOND_SHELL = 2.0 / np.sqrt(3.0)
"""Second-neighbour distance of a BCC lattice in units of the nearest-neighbour distance (a = 2 d_nn/√3)."""
FCC_SECOND_SHELL = np.sqrt(2.0)
"""Second-neighbour distance of an FCC lattice in units of the nearest-neighbour distance (a = √2 d_nn)."""

TOY_FEATURE_NAMES = ("G(2/√3·d_nn) / max|G|  (BCC 2nd shell)", "G(√2·d_nn) / max|G|  (FCC 2nd shell)")
"""Axis labels for :func:`second_shell_features` data."""
TOY_CLASS_NAMES = ("FCC (y = +1)", "BCC (y = −1)")
"""Legend names for :func:`second_shell_features` data (FCC against BCC)."""


# --------------------------------------------------------------------------- the toy data


def second_shell_features(df, positive: str = "FCC", negative: str = "BCC") -> tuple[np.ndarray, np.ndarray]:
    """The 2-D toy: two hand-picked features of the ``positive`` and ``negative`` rows of ``df``.

    For each row, G(r) is read (linear interpolation on the r grid) at
    ``r = 2/√3 · d_nn`` (where a BCC particle has its second neighbours) and at
    ``r = √2 · d_nn`` (where an FCC particle has its second neighbours), with
    ``d_nn`` the row's nearest-neighbour distance in Å.  Returns ``X`` of shape
    (n, 2) (dimensionless, G / max|G|) and ``y`` of shape (n,) with +1 for the
    structure type ``positive`` and -1 for ``negative``, in the order of the rows of ``df``.
    """
    import pandas as pd

    from helpers.data import R_GRID, gr_columns

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame from load_pdfs(), got {type(df).__name__}")
    missing = {"structure_type", "d_nn"} - set(df.columns)
    if missing or not gr_columns(df):
        raise ValueError(
            "df must have the columns structure_type, d_nn and the G(r) columns (from load_pdfs())"
        )
    if positive == negative:
        raise ValueError(
            f"positive and negative must be two different structure types, got {positive!r} twice"
        )
    rows = df[df["structure_type"].isin([positive, negative])]
    if rows.empty:
        raise ValueError(f"df has no {positive} or {negative} rows")
    G = rows[gr_columns(rows)].to_numpy(dtype=float)
    d_nn = rows["d_nn"].to_numpy(dtype=float)
    X = np.column_stack(
        [[np.interp(f * d, R_GRID, g) for d, g in zip(d_nn, G)] for f in (BCC_SECOND_SHELL, FCC_SECOND_SHELL)]
    )
    y = np.where(rows["structure_type"].to_numpy() == positive, 1, -1)
    return X, y


# --------------------------------------------------------------------------- the PLA


@dataclass(frozen=True)
class PLAHistory:
    """What the PLA did: ``weights[t]`` is w after t updates (shape (T+1, 3): w0, w1, w2);
    ``picked[t]`` is the index of the point used for update t+1; ``n_misclassified[t]``
    counts the misclassified points under ``weights[t]``; ``converged`` says whether the last
    weights classify every point correctly."""

    weights: np.ndarray
    picked: np.ndarray
    n_misclassified: np.ndarray
    converged: bool

    @property
    def n_updates(self) -> int:
        return len(self.picked)


def predict(w, X) -> np.ndarray:
    """h(x) = sign(w0 + w1 x1 + ... ) with +1 for w·x >= 0 and -1 otherwise (the lecture's convention)."""
    X = np.asarray(X, dtype=float)
    return np.where(w[0] + X @ np.asarray(w[1:], dtype=float) >= 0, 1, -1)


def pla_history(X, y, max_updates: int = 200, seed: int = 0) -> PLAHistory:
    """Run the perceptron learning algorithm on (X, y) and keep every intermediate w.

    Stops when no point is misclassified or after ``max_updates`` updates.
    Works for any number of features (``X`` of shape (n, d), labels ±1).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must have shape (n, d) and y shape (n,), got {X.shape} and {y.shape}")
    if not np.all(np.isin(y, (-1, 1))):
        raise ValueError("y must hold the labels +1 and -1 only")
    max_updates = check_scalar(max_updates, "max_updates", numbers.Integral, min_val=0)
    rng = np.random.default_rng(seed)
    Xb = np.column_stack([np.ones(len(X)), X])
    w = rng.normal(size=Xb.shape[1])
    weights, picked, n_wrong = [w.copy()], [], []
    for _ in range(max_updates + 1):
        wrong = np.flatnonzero(np.where(Xb @ w >= 0, 1, -1) != y)
        n_wrong.append(len(wrong))
        if len(wrong) == 0 or len(picked) == max_updates:
            break
        i = int(rng.choice(wrong))
        w = w + y[i] * Xb[i]
        weights.append(w.copy())
        picked.append(i)
    return PLAHistory(np.array(weights), np.array(picked, dtype=int), np.array(n_wrong), n_wrong[-1] == 0)
