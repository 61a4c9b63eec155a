"""The perceptron pictures: watch the perceptron learning algorithm (PLA) move its line.

One picture, drawn by :class:`PerceptronPicture`, in two forms:
:func:`plot_perceptron_steps` draws it once (the line after several numbers of
updates), :func:`perceptron_stepper_widget` redraws it live (Step / Reset
buttons and an "update #" slider).  The PLA itself is :mod:`helpers.perceptron`.
"""

from __future__ import annotations

import numbers

import numpy as np

from helpers.perceptron import PLAHistory, pla_history, predict
from helpers.validation import check_scalar

_DEFAULT_STEPS = (0, 1, 3, 10)
_COLOURS = ("#EE6677", "#228833")  # the course's FCC and BCC colours (helpers.plotting.TYPE_COLOURS)


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


def _names(feature_names, class_names):
    feature_names = ("x₁ (dimensionless)", "x₂ (dimensionless)") if feature_names is None else feature_names
    class_names = ("y = +1", "y = −1") if class_names is None else class_names
    if len(feature_names) != 2 or len(class_names) != 2:
        raise ValueError("feature_names and class_names must each be a pair of strings")
    return tuple(feature_names), tuple(class_names)


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


class PerceptronPicture:
    """The picture of a PLA run on 2-D points, static or live.

    The points of the two classes; the decision line w0 + w1 x1 + w2 x2 = 0 after the last
    chosen number of updates (bold, its half-planes shaded) and after ``n_earlier`` earlier
    ones (dashed); rings round the points the last line misclassifies; and a star on the point
    the PLA picks for its next update.  :meth:`show` draws it for a list of update numbers;
    :attr:`artists` are the parts that change between two pictures (for
    :class:`helpers.widgets.fast_figure.FastFigure`).
    """

    def __init__(self, ax, X, y, hist: PLAHistory, *, n_earlier: int, feature_names, class_names):
        from matplotlib import colormaps
        from matplotlib.colors import ListedColormap

        self.ax, self.X, self.y, self.hist = ax, X, y, hist
        self.xlim, self.ylim = _limits(X)
        gx, gy = np.meshgrid(np.linspace(*self.xlim, 200), np.linspace(*self.ylim, 200))
        self._grid, self._grid_shape = np.column_stack([gx.ravel(), gy.ravel()]), gx.shape
        self.regions = ax.imshow(
            np.zeros(gx.shape),
            extent=(*self.xlim, *self.ylim),
            origin="lower",
            aspect="auto",
            cmap=ListedColormap([_COLOURS[1], _COLOURS[0]]),
            vmin=-1,
            vmax=1,
            alpha=0.1,
            zorder=0,
            interpolation="nearest",
        )
        for label, colour, name, marker in zip((1, -1), _COLOURS, class_names, ("o", "s")):
            m = y == label
            ax.scatter(X[m, 0], X[m, 1], s=22, color=colour, marker=marker, label=name, zorder=3, alpha=0.85)
        greys = colormaps["Greys"](np.linspace(0.35, 0.7, max(n_earlier, 1)))
        self.earlier = [
            ax.plot([], [], color=greys[k], lw=1.2, ls="--", zorder=2)[0] for k in range(n_earlier)
        ]
        (self.line,) = ax.plot([], [], color="black", lw=2.2, zorder=2)
        self.rings = ax.scatter(
            [], [], s=90, facecolors="none", edgecolors="black", lw=1.2, zorder=4, label="misclassified"
        )
        self.star = ax.scatter(
            [np.nan], [np.nan], s=260, marker="*", color="gold", edgecolors="black", zorder=5
        )
        ax.set_xlim(self.xlim)
        ax.set_ylim(self.ylim)
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        self.legend = None

    @property
    def artists(self) -> list:
        return [self.regions, *self.earlier, self.line, self.rings, self.star, self.ax.title, self.legend]

    def show(self, steps) -> None:
        """Draw the lines after each number of updates in ``steps`` (sorted; the last one is bold)."""
        lines = [*self.earlier[len(self.earlier) - len(steps) + 1 :], self.line]
        for line in self.earlier:
            line.set_data([], [])
            line.set_label("_hidden")
        for line, t in zip(lines, steps):
            tt = min(t, self.hist.n_updates)  # fewer only if the PLA converged earlier
            end = _line(self.hist.weights[tt], self.xlim, self.ylim)
            line.set_data(*(end if end is not None else ([], [])))
            line.set_label(
                f"after {tt} updates (converged)" if tt < t else f"after {t} update{'s' if t != 1 else ''}"
            )
        last = min(steps[-1], self.hist.n_updates)
        w = self.hist.weights[last]
        self.regions.set_data(predict(w, self._grid).reshape(self._grid_shape))
        wrong = predict(w, self.X) != self.y
        self.rings.set_offsets(self.X[wrong] if wrong.any() else np.empty((0, 2)))
        has_next = last < self.hist.n_updates
        self.star.set_offsets(self.X[[self.hist.picked[last]]] if has_next else np.full((1, 2), np.nan))
        self.star.set_label("picked next" if has_next else "_hidden")
        self.ax.set_title(f"Perceptron learning: the line after {', '.join(map(str, steps))} updates")
        if self.legend is not None:
            self.legend.remove()
        self.legend = self.ax.legend(
            loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, scatterpoints=1
        )


def _steps(n_updates) -> list[int]:
    steps = [n_updates] if isinstance(n_updates, numbers.Integral) else list(n_updates)
    if not steps:
        raise ValueError(f"n_updates must be a non-negative int or a sequence of them, got {n_updates!r}")
    return sorted({check_scalar(t, "n_updates", numbers.Integral, min_val=0) for t in steps})


def plot_perceptron_steps(
    X,
    y,
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
    X, y : 2-D points (shape (n, 2)) and labels ±1 (e.g. :func:`helpers.perceptron.second_shell_features`).
    n_updates : an int or a sequence of ints - after how many updates to draw the line.  The last
        one is drawn bold with its half-planes shaded; points it misclassifies are ringed in black,
        and the point the PLA picks for the next update is marked with a star.
    seed : the PLA's seed (random start and random picks).
    ax : matplotlib axes to draw on (a new figure if ``None``).
    feature_names, class_names : axis labels and legend names.

    Returns the axes.
    """
    import matplotlib.pyplot as plt

    X, y = _validate(X, y)
    steps = _steps(n_updates)
    feature_names, class_names = _names(feature_names, class_names)
    hist = pla_history(X, y, max_updates=steps[-1] + 1, seed=seed)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    picture = PerceptronPicture(
        ax, X, y, hist, n_earlier=len(steps) - 1, feature_names=feature_names, class_names=class_names
    )
    picture.show(steps)
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
    X, y, seed: int = 0, max_updates: int = 200, *, feature_names=None, class_names=None
):
    """Interactive PLA on 2-D data: a "Step" button (one update), "Reset", and an "update #" slider.

    ``X, y, feature_names, class_names`` as in :func:`plot_perceptron_steps`.  The whole run
    (at most ``max_updates`` updates) is computed once; buttons and slider only choose which
    update to show (with the line before it dashed), so every redraw is fast.  The returned
    ``VBox`` has the CSS class ``perceptron-stepper``; its parts are reachable as attributes
    ``step_button``, ``reset_button``, ``slider``, ``status``, ``image``, ``history`` and the
    function ``redraw()``.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from helpers.widgets._controls import slider, status_and_image
    from helpers.widgets.fast_figure import FastFigure

    X, y = _validate(X, y)
    feature_names, class_names = _names(feature_names, class_names)
    hist = pla_history(X, y, max_updates=max_updates, seed=seed)

    fig = Figure(figsize=(8.0, 4.0), dpi=80)
    picture = PerceptronPicture(
        fig.subplots(), X, y, hist, n_earlier=1, feature_names=feature_names, class_names=class_names
    )
    fig.subplots_adjust(left=0.1, right=0.7, bottom=0.13, top=0.92)  # fixed margins: no layout pass per draw
    canvas = FastFigure(fig)

    step = widgets.Button(description="Step", tooltip="one PLA update: w ← w + y·x", icon="step-forward")
    reset = widgets.Button(description="Reset", tooltip="back to the random start", icon="undo")
    update = slider(widgets.IntSlider, "update #", value=0, min=0, max=hist.n_updates, step=1)
    status, image = status_and_image()

    def redraw(*_):
        t = update.value
        picture.show([t - 1, t] if t > 0 else [0])
        image.value = canvas.png(artists=picture.artists)
        status.value = f"<b>{_status(hist, t, y, class_names)}</b>"
        step.disabled = t >= hist.n_updates

    def on_step(_):
        if update.value < update.max:
            update.value += 1

    def on_reset(_):
        update.value = 0

    step.on_click(on_step)
    reset.on_click(on_reset)
    update.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([step, reset, update]), status, image])
    box.add_class("perceptron-stepper")
    box.step_button, box.reset_button, box.slider = step, reset, update
    box.status, box.image, box.redraw, box.history = status, image, redraw, hist
    return box
