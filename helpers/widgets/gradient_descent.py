"""The learning-rate explorer: gradient descent with a step that is too small, right, or too large.

The problem is a 2-D quadratic bowl,

    f(w) = ½ (w − w*)ᵀ A (w − w*),

the exact shape of the least-squares loss of a linear regression with two
features (and, near its minimum, of any smooth loss such as the logistic
one).  ``A`` has curvatures (eigenvalues) 1.0 and 0.2 along two axes turned by
30°, so the bowl is a tilted, elongated valley.  Gradient descent

    w_{t+1} = w_t − γ ∇f(w_t),   ∇f(w) = A (w − w*),

shrinks the distance to w* along each axis by a factor |1 − γλ| per step
(λ = 1.0 or 0.2): with γ = 0.01 it crawls, with γ ≈ 0.5–1.5 it converges
fast, and with γ > 2/λ_max = 2 every step overshoots further than it started
- it diverges.

:func:`plot_learning_rates` is the static figure (loss against iteration for
a few rates); :func:`learning_rate_widget` the interactive explorer.
"""

from __future__ import annotations

import numpy as np

CURVATURES = (1.0, 0.2)
"""Eigenvalues of A: the bowl's curvature along its steep and its shallow axis."""
ANGLE_DEG = 30.0
"""How far the bowl's axes are turned from the w₁, w₂ axes (degrees)."""
W_STAR = np.array([1.0, 0.5])
"""The minimum w* (f(w*) = 0)."""
W_START = np.array([-2.0, 2.5])
"""Where every run starts."""
_ITERATION_AXES = (10, 20, 50, 100, 200)  # the widget's iteration axis ends at the first of these >= steps
DIVERGED = 1e4
"""A loss above this (≈ 1000 × the start) counts as diverged; curves stop there."""

_theta = np.deg2rad(ANGLE_DEG)
_R = np.array([[np.cos(_theta), -np.sin(_theta)], [np.sin(_theta), np.cos(_theta)]])
A = _R @ np.diag(CURVATURES) @ _R.T
"""The Hessian of the bowl (2 x 2, symmetric positive definite)."""
A.setflags(write=False)
W_STAR.setflags(write=False)
W_START.setflags(write=False)


def loss(w) -> np.ndarray:
    """f(w) = ½ (w − w*)ᵀ A (w − w*); ``w`` of shape (2,) or (..., 2)."""
    d = np.asarray(w, dtype=float) - W_STAR
    return 0.5 * np.einsum("...i,ij,...j->...", d, A, d)


def gradient(w) -> np.ndarray:
    """∇f(w) = A (w − w*)."""
    return (np.asarray(w, dtype=float) - W_STAR) @ A


def _check_rate_steps(rate, n_steps):
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
        raise TypeError(f"rate (the learning rate γ) must be a number, got {type(rate).__name__}")
    if not np.isfinite(rate) or rate <= 0:
        raise ValueError(f"rate (the learning rate γ) must be a positive number, got {rate!r}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer, got {n_steps!r}")


def gradient_descent(rate: float, n_steps: int = 50, w0=W_START) -> tuple[np.ndarray, np.ndarray]:
    """Run ``n_steps`` steps of gradient descent with learning rate ``rate`` from ``w0``.

    Returns ``(path, losses)``: the points w_0 ... w_n (shape (n_steps + 1, 2)) and their losses
    (shape (n_steps + 1,)).  Once the loss passes :data:`DIVERGED` the run stops; the remaining
    entries are ``nan`` (path) and ``inf`` (losses).
    """
    _check_rate_steps(rate, n_steps)
    path = np.full((n_steps + 1, 2), np.nan)
    losses = np.full(n_steps + 1, np.inf)
    w = np.asarray(w0, dtype=float).copy()
    for t in range(n_steps + 1):
        path[t], losses[t] = w, loss(w)
        if losses[t] > DIVERGED:
            break
        w = w - rate * gradient(w)
    return path, losses


def loss_after_steps(rate: float, n_steps: int = 50) -> float:
    """The loss after ``n_steps`` steps from :data:`W_START` (``inf`` if the run diverged)."""
    return float(gradient_descent(rate, n_steps)[1][-1])


def classify_rate(rate: float, n_steps: int = 50) -> str:
    """One word for what ``rate`` does in ``n_steps`` steps: 'too slow', 'good', 'oscillating' or 'diverging'.

    'diverging': the loss ends above where it started; 'oscillating': the steps zig-zag across the
    valley (γλ_max > 1) and the loss is still above 0.1 % of the start; 'too slow': no zig-zag, but
    the loss is still above 10 % of the start; 'good': otherwise.
    """
    _check_rate_steps(rate, n_steps)
    f0, fn = loss(W_START), loss_after_steps(rate, n_steps)
    zigzag = rate * max(CURVATURES) > 1
    if not np.isfinite(fn) or fn > f0:
        return "diverging"
    if zigzag and fn > 1e-3 * f0:
        return "oscillating"
    if fn > 0.1 * f0:
        return "too slow"
    return "good"


def _loss_curve(ax, rate, n_steps, colour=None):
    _, losses = gradient_descent(rate, n_steps)
    ok = np.isfinite(losses)
    steps = np.arange(n_steps + 1)
    (line,) = ax.plot(steps[ok], losses[ok], marker="o", ms=2.5, lw=1.5, color=colour)
    label = f"γ = {rate:g}: {classify_rate(rate, n_steps)}"
    if not ok.all() or losses[-1] > DIVERGED:
        k = steps[ok][-1]
        ax.plot(k, losses[ok][-1], marker="X", ms=10, color=line.get_color())
        label += f" (loss > {DIVERGED:g} at step {k})"
    line.set_label(label)
    return losses


def _decorate_loss(ax, n_steps):
    ax.set_yscale("log")
    ax.set_ylim(1e-8, DIVERGED * 10)
    ax.set_xlim(0, max(n_steps, 1))
    ax.set_xlabel("iteration t (gradient-descent steps)")
    ax.set_ylabel("loss f(w_t) (dimensionless)")
    ax.legend(loc="lower left", fontsize=8)


def plot_learning_rates(rates=(0.01, 0.5, 5.0), n_steps: int = 50, ax=None):
    """Loss against iteration (log scale) for each learning rate in ``rates``; returns the axes.

    Too small a rate: the loss barely moves.  A good rate: it falls steadily (a straight line on the
    log scale).  Too large (γ > 2/λ_max = 2 here): the loss grows every step; the curve stops with a
    cross where it passes :data:`DIVERGED`.
    """
    import matplotlib.pyplot as plt

    rates = [rates] if isinstance(rates, (int, float, np.integer, np.floating)) else list(rates)
    if not rates:
        raise ValueError("rates must hold at least one learning rate")
    for r in rates:
        _check_rate_steps(r, n_steps)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for r in rates:
        _loss_curve(ax, r, n_steps)
    _decorate_loss(ax, n_steps)
    ax.set_title("Which learning rate γ reaches the minimum fastest?")
    return ax


def plot_descent_path(rate: float, n_steps: int = 50, ax=None):
    """The loss contours of the bowl and the path of gradient descent on it; returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    _path_panel(ax, rate, n_steps)
    return ax


def _path_panel(ax, rate, n_steps):
    path, _ = gradient_descent(rate, n_steps)
    path = path[np.isfinite(path).all(axis=1)]
    g1, g2 = np.meshgrid(np.linspace(-3.5, 5.5, 80), np.linspace(-3.0, 4.0, 80))
    f = loss(np.stack([g1, g2], axis=-1))
    ax.contour(g1, g2, f, levels=np.geomspace(0.01, 30, 10), colors="grey", linewidths=0.7)
    ax.plot(path[:, 0], path[:, 1], "-o", ms=3, lw=1.2, color="#4477AA", label="w_t")
    ax.plot(*W_START, "s", color="black", ms=6, label="start")
    ax.plot(*W_STAR, "*", color="gold", mec="black", ms=14, label="minimum w*")
    ax.set_xlim(-3.5, 5.5)
    ax.set_ylim(-3.0, 4.0)
    ax.set_xlabel("weight w₁ (dimensionless)")
    ax.set_ylabel("weight w₂ (dimensionless)")
    ax.set_title(f"Path of {n_steps} steps, γ = {rate:.3g}")
    ax.legend(loc="upper right", fontsize=8)


def learning_rate_widget(rate: float = 0.5, n_steps: int = 50):
    """Interactive explorer: a "learning rate γ" log-slider and a "steps" slider redraw the loss curve
    and the path on the loss contours.

    The returned ``VBox`` has the CSS class ``learning-rate-explorer``; its parts are reachable as
    attributes ``rate_slider``, ``steps_slider``, ``status``, ``image`` and ``redraw()``.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from helpers.widgets.fast_figure import FastFigure

    _check_rate_steps(rate, n_steps)
    rate_slider = widgets.FloatLogSlider(
        value=rate,
        base=10,
        min=-3,
        max=1,
        step=0.05,
        description="learning rate γ",
        readout_format=".3g",
        continuous_update=False,
        style={"description_width": "initial"},
    )
    steps_slider = widgets.IntSlider(
        value=n_steps,
        min=1,
        max=200,
        description="steps",
        continuous_update=False,
        style={"description_width": "initial"},
    )
    status = widgets.HTML()
    image = widgets.Image(format="png")

    # the figure: static frame (axes, contours, start, minimum) + the curve and the path
    fig = Figure(figsize=(10, 3.8), dpi=80)
    ax_loss, ax_path = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    (curve,) = ax_loss.plot([0, 1], [1, 1], marker="o", ms=2.5, lw=1.5, color="#4477AA", label="loss f(w_t)")
    (cross,) = ax_loss.plot([], [], marker="X", ms=10, ls="none", color="#EE6677", label="diverged")
    _decorate_loss(ax_loss, n_steps)
    ax_loss.set_title("Does the loss go down?")
    _path_panel(ax_path, rate, n_steps)
    path_line = ax_path.lines[0]
    ax_path.set_title("Where do the steps go?")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.92, wspace=0.25)  # fixed: no layout pass
    canvas = FastFigure(fig, [curve, cross, path_line])

    def redraw(*_):
        g, n = float(rate_slider.value), int(steps_slider.value)
        path, losses = gradient_descent(g, n)
        ok = np.isfinite(losses)
        curve.set_data(np.arange(n + 1)[ok], losses[ok])
        k = int(np.flatnonzero(ok)[-1])
        cross.set_data(([k], [losses[k]]) if losses[k] > DIVERGED else ([], []))
        inside = np.isfinite(path).all(axis=1)
        path_line.set_data(path[inside, 0], path[inside, 1])
        xmax = next(x for x in _ITERATION_AXES if x >= n)
        ax_loss.set_xlim(0, xmax)
        image.value = canvas.png(key=xmax)  # one frame per iteration axis, drawn the first time it is needed
        f0, fn = loss(W_START), losses[-1]
        after = (
            f"diverged (loss > {DIVERGED:g} at step {k})"
            if not np.isfinite(fn) or fn > DIVERGED
            else f"{fn:.3g}"
        )
        status.value = (
            f"<b>γ = {g:.3g}, {n} steps: loss {f0:.3g} → {after} — {classify_rate(g, n)}.</b> "
            f"Stable only for γ &lt; 2/λ_max = {2 / max(CURVATURES):g}."
        )

    rate_slider.observe(redraw, names="value")
    steps_slider.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([rate_slider, steps_slider]), status, image])
    box.add_class("learning-rate-explorer")
    box.rate_slider, box.steps_slider, box.status, box.image, box.redraw = (
        rate_slider,
        steps_slider,
        status,
        image,
        redraw,
    )
    return box
