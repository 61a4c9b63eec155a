"""The perceptron stepper: watch the perceptron learning algorithm (PLA) move its line, one update at a time.

The module has its own small PLA (:func:`pla_history`) - the engine of the
pictures; in the notebook you write your own.  It follows the lecture:

* a point ``x = (x1, x2)`` gets the bias coordinate ``x0 = 1``;
* the model is ``h(x) = sign(w·x)`` with ``h = +1`` when ``w·x >= 0`` and ``-1`` otherwise;
* ``w`` starts random (``numpy.random.default_rng(seed)``); while a point is
  misclassified, one of them is picked at random and ``w <- w + y x``.

Default data (when no ``X, y`` are given): a 2-D toy made from the course's
clean PDFs (:func:`second_shell_features`) - for every FCC and BCC particle,
G(r) read at the BCC second-neighbour distance (2/√3 d_nn) and at the FCC
second-neighbour distance (√2 d_nn), with ``y = +1`` for FCC and ``-1`` for BCC.

:func:`plot_perceptron_steps` draws a static figure; :func:`perceptron_stepper_widget`
is the interactive version (Step / Reset buttons and an "update #" slider).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

BCC_SECOND_SHELL = 2.0 / np.sqrt(3.0)
"""Second-neighbour distance of a BCC lattice in units of the nearest-neighbour distance (a = 2 d_nn/√3)."""
FCC_SECOND_SHELL = np.sqrt(2.0)
"""Second-neighbour distance of an FCC lattice in units of the nearest-neighbour distance (a = √2 d_nn)."""

TOY_FEATURE_NAMES = ("G(2/√3·d_nn) / max|G|  (BCC 2nd shell)", "G(√2·d_nn) / max|G|  (FCC 2nd shell)")
"""Axis labels for :func:`second_shell_features` data."""
TOY_CLASS_NAMES = ("FCC (y = +1)", "BCC (y = −1)")
"""Legend names for the default toy data."""
_DEFAULT_STEPS = (0, 1, 3, 10)
_COLOURS = ("#EE6677", "#228833")  # the course's FCC and BCC colours (helpers.plotting.TYPE_COLOURS)


# --------------------------------------------------------------------------- data


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


@lru_cache(maxsize=1)
def _toy_data() -> tuple[np.ndarray, np.ndarray]:
    from helpers.data import load_pdfs

    X, y = second_shell_features(load_pdfs("clean"))
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def toy_data() -> tuple[np.ndarray, np.ndarray]:
    """The default data of the stepper: :func:`second_shell_features` of the clean PDFs (copies)."""
    X, y = _toy_data()
    return X.copy(), y.copy()


def _validate(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must be a 2-D array of shape (n_points, 2), got shape {X.shape}")
    if len(X) == 0:
        raise ValueError("X has no points")
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
    if not np.all(np.isin(y, (-1, 1))):
        raise ValueError(f"y must hold the labels +1 and -1 only, got {sorted(set(y.tolist()))[:5]}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must not contain NaN or infinite values")
    return X, y.astype(int)


# --------------------------------------------------------------------------- the engine


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
    if not isinstance(max_updates, (int, np.integer)) or max_updates < 0:
        raise ValueError(f"max_updates must be a non-negative integer, got {max_updates!r}")
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


# --------------------------------------------------------------------------- drawing


def _limits(X) -> tuple[tuple[float, float], tuple[float, float]]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 1e-9)
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def _line(w, xlim, ylim):
    """Two end points of the line w0 + w1 x1 + w2 x2 = 0 across the box, or None."""
    w0, w1, w2 = w
    if abs(w2) >= abs(w1):
        if w2 == 0:
            return None
        xs = np.array(xlim)
        return xs, -(w0 + w1 * xs) / w2
    ys = np.array(ylim)
    return -(w0 + w2 * ys) / w1, ys


def _draw_points(ax, X, y, class_names):
    for label, colour, name, marker in zip((1, -1), _COLOURS, class_names, ("o", "s")):
        m = y == label
        ax.scatter(X[m, 0], X[m, 1], s=22, color=colour, marker=marker, label=name, zorder=3, alpha=0.85)


def _draw_regions(ax, w, xlim, ylim):
    gx, gy = np.meshgrid(np.linspace(*xlim, 60), np.linspace(*ylim, 60))
    z = predict(w, np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    ax.contourf(gx, gy, z, levels=[-2, 0, 2], colors=[_COLOURS[1], _COLOURS[0]], alpha=0.08, zorder=0)


def _decorate(ax, xlim, ylim, feature_names, title):
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    ax.set_title(title)


def _names(X_given: bool, feature_names, class_names):
    if feature_names is None:
        feature_names = ("x₁ (dimensionless)", "x₂ (dimensionless)") if X_given else TOY_FEATURE_NAMES
    if class_names is None:
        class_names = ("y = +1", "y = −1") if X_given else TOY_CLASS_NAMES
    if len(feature_names) != 2 or len(class_names) != 2:
        raise ValueError("feature_names and class_names must each be a pair of strings")
    return tuple(feature_names), tuple(class_names)


def plot_perceptron_steps(
    X=None,
    y=None,
    n_updates=_DEFAULT_STEPS,
    seed: int = 0,
    ax=None,
    *,
    feature_names=None,
    class_names=None,
):
    """Static picture of the PLA: the decision line w0 + w1 x1 + w2 x2 = 0 after several numbers of updates.

    Parameters
    ----------
    X, y : 2-D points (shape (n, 2)) and labels ±1; ``None`` for the default PDF toy (:func:`toy_data`).
    n_updates : an int or a sequence of ints - after how many updates to draw the line.  The last
        one is drawn bold with its half-planes shaded; points it misclassifies are ringed in black,
        and the point the PLA picks for the next update is marked with a star.
    seed : the PLA's seed (random start and random picks).
    ax : matplotlib axes to draw on (a new figure if ``None``).
    feature_names, class_names : axis labels and legend names (defaults describe the toy data).

    Returns the axes.
    """
    import matplotlib.pyplot as plt

    given = X is not None or y is not None
    X, y = _validate(*((X, y) if given else toy_data()))
    steps = [n_updates] if isinstance(n_updates, (int, np.integer)) else list(n_updates)
    if not steps or any(not isinstance(t, (int, np.integer)) or t < 0 for t in steps):
        raise ValueError(f"n_updates must be a non-negative int or a sequence of them, got {n_updates!r}")
    steps = sorted({int(t) for t in steps})
    feature_names, class_names = _names(given, feature_names, class_names)
    hist = pla_history(X, y, max_updates=steps[-1] + 1, seed=seed)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    xlim, ylim = _limits(X)
    greys = plt.get_cmap("Greys")(np.linspace(0.35, 0.7, max(len(steps) - 1, 1)))
    last = None
    for k, t in enumerate(steps):
        tt = min(t, hist.n_updates)  # fewer only if the PLA converged earlier
        w = hist.weights[tt]
        end = _line(w, xlim, ylim)
        is_last = k == len(steps) - 1
        label = f"after {t} update{'s' if t != 1 else ''}"
        if tt < t:
            label = f"after {tt} updates (converged)"
        if end is not None:
            ax.plot(
                *end,
                color="black" if is_last else greys[k],
                lw=2.2 if is_last else 1.2,
                ls="-" if is_last else "--",
                label=label,
                zorder=2,
            )
        if is_last:
            last = tt
    w = hist.weights[last]
    _draw_regions(ax, w, xlim, ylim)
    _draw_points(ax, X, y, class_names)
    wrong = predict(w, X) != y
    ax.scatter(
        X[wrong, 0],
        X[wrong, 1],
        s=90,
        facecolors="none",
        edgecolors="black",
        lw=1.2,
        zorder=4,
        label="misclassified",
    )
    if last < hist.n_updates:
        i = hist.picked[last]
        ax.scatter(*X[i], s=260, marker="*", color="gold", edgecolors="black", zorder=5, label="picked next")
    _decorate(
        ax,
        xlim,
        ylim,
        feature_names,
        f"Perceptron learning: the line after {', '.join(map(str, steps))} updates",
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, scatterpoints=1)
    return ax


# --------------------------------------------------------------------------- the widget


def _status(hist: PLAHistory, t: int, y, class_names) -> str:
    n = len(y)
    wrong = int(hist.n_misclassified[t])
    if t == 0:
        text = "update 0: random start"
    else:
        i = int(hist.picked[t - 1])
        name = class_names[0] if y[i] == 1 else class_names[1]
        text = f"update {t}: picked point #{i} ({name}), w ← w {'+' if y[i] == 1 else '−'} x"
    text += f" — {wrong} of {n} points misclassified"
    if wrong == 0:
        text += " — converged ✔"
    elif t == hist.n_updates:
        text += f" — stopped at the update limit ({hist.n_updates})"
    return text


def perceptron_stepper_widget(
    X=None, y=None, seed: int = 0, max_updates: int = 200, *, feature_names=None, class_names=None
):
    """Interactive PLA on 2-D data: a "Step" button (one update), "Reset", and an "update #" slider.

    ``X, y, feature_names, class_names`` as in :func:`plot_perceptron_steps` (``None``: the default
    PDF toy).  The whole run
    (at most ``max_updates`` updates) is computed once; buttons and slider only choose which
    update to show, so every redraw is fast.  The returned ``VBox`` has the CSS class
    ``perceptron-stepper``; its parts are reachable as attributes ``step_button``,
    ``reset_button``, ``slider``, ``status``, ``image`` and the function ``redraw()``.
    """
    import ipywidgets as widgets
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    from helpers.widgets.fast_figure import FastFigure

    given = X is not None or y is not None
    X, y = _validate(*((X, y) if given else toy_data()))
    feature_names, class_names = _names(given, feature_names, class_names)
    hist = pla_history(X, y, max_updates=max_updates, seed=seed)
    xlim, ylim = _limits(X)

    # the figure: static frame + the artists that change with the update number
    fig = Figure(figsize=(8.0, 4.0), dpi=80)
    ax = fig.subplots()
    gx, gy = np.meshgrid(np.linspace(*xlim, 80), np.linspace(*ylim, 80))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    regions = ax.imshow(
        np.zeros(gx.shape),
        extent=(*xlim, *ylim),
        origin="lower",
        aspect="auto",
        cmap=ListedColormap([_COLOURS[1], _COLOURS[0]]),
        vmin=-1,
        vmax=1,
        alpha=0.1,
        zorder=0,
        interpolation="nearest",
    )
    points = [
        ax.scatter(X[y == lab, 0], X[y == lab, 1], s=22, color=c, marker=m, label=n, zorder=3, alpha=0.85)
        for lab, c, n, m in zip((1, -1), _COLOURS, class_names, ("o", "s"))
    ]
    (line,) = ax.plot([], [], color="black", lw=2.2, label="decision line w·x = 0", zorder=2)
    rings = ax.scatter(
        [], [], s=90, facecolors="none", edgecolors="black", lw=1.2, zorder=4, label="misclassified"
    )
    star = ax.scatter(
        [np.nan], [np.nan], s=260, marker="*", c="gold", edgecolors="black", zorder=5, label="point just used"
    )
    _decorate(ax, xlim, ylim, feature_names, "Perceptron learning: where is the line now?")
    line.set_data(xlim, ylim)  # visible stand-ins while the legend copies their style
    rings.set_offsets(np.array([[np.nan, np.nan]]))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, scatterpoints=1)
    fig.subplots_adjust(left=0.1, right=0.7, bottom=0.13, top=0.92)  # fixed margins: no layout pass per draw
    canvas = FastFigure(fig, [regions, line, rings, star, *points])

    step = widgets.Button(description="Step", tooltip="one PLA update: w ← w + y·x", icon="step-forward")
    reset = widgets.Button(description="Reset", tooltip="back to the random start", icon="undo")
    slider = widgets.IntSlider(
        value=0,
        min=0,
        max=hist.n_updates,
        step=1,
        description="update #",
        continuous_update=False,
        style={"description_width": "initial"},
    )
    status = widgets.HTML()
    image = widgets.Image(format="png")

    def redraw(*_):
        t = slider.value
        w = hist.weights[t]
        regions.set_data(predict(w, grid).reshape(gx.shape))
        end = _line(w, xlim, ylim)
        line.set_data(*(end if end is not None else ([], [])))
        wrong = predict(w, X) != y
        rings.set_offsets(X[wrong] if wrong.any() else np.empty((0, 2)))
        star.set_offsets(X[[hist.picked[t - 1]]] if t > 0 else np.full((1, 2), np.nan))
        image.value = canvas.png()
        status.value = f"<b>{_status(hist, t, y, class_names)}</b>"
        step.disabled = t >= hist.n_updates

    def on_step(_):
        if slider.value < slider.max:
            slider.value += 1

    def on_reset(_):
        slider.value = 0

    step.on_click(on_step)
    reset.on_click(on_reset)
    slider.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([step, reset, slider]), status, image])
    box.add_class("perceptron-stepper")
    box.step_button, box.reset_button, box.slider = step, reset, slider
    box.status, box.image, box.redraw, box.history = status, image, redraw, hist
    return box
