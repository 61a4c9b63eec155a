"""The learning-rate explorer: gradient descent on a quadratic bowl, drawn.

The computation (the bowl, its gradient, the descent, the verdict on a rate)
is :mod:`helpers.gradient_descent`; this module draws it.
:func:`plot_learning_rates` is the static figure (loss against iteration for a
few rates); :func:`learning_rate_widget` the interactive explorer (the loss
curve and the path of the steps on the contours of the bowl).
"""

from __future__ import annotations

import numbers

import numpy as np

from helpers.gradient_descent import (
    CURVATURES,
    DIVERGED,
    W_STAR,
    W_START,
    check_rate_steps,
    classify_rate,
    gradient_descent,
    loss,
)

_ITERATION_AXES = (10, 20, 50, 100, 200)  # the widget's iteration axis ends at the first of these >= steps


def _loss_curve(ax, rate, n_steps, colour=None, verdict=True):
    _, losses = gradient_descent(rate, n_steps)
    ok = np.isfinite(losses)
    steps = np.arange(n_steps + 1)
    (line,) = ax.plot(steps[ok], losses[ok], marker="o", ms=2.5, lw=1.5, color=colour)
    label = f"γ = {rate:g}: {classify_rate(rate, n_steps)}" if verdict else f"γ = {rate:g}"
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


def plot_learning_rates(rates=(0.01, 0.5, 5.0), n_steps: int = 50, ax=None, *, verdicts: bool = True):
    """Loss against iteration (log scale) for each learning rate in ``rates``; returns the axes.

    ``verdicts=False`` names only the rates in the legend, without "too slow"/"good"/"diverging": for a
    figure shown before an exercise that asks which rate is good.

    Too small a rate: the loss barely moves.  A good rate: it falls steadily (a straight line on the
    log scale).  Too large (γ > 2/λ_max = 2 here): the loss grows every step; the curve stops with a
    cross where it passes :data:`DIVERGED`.
    """
    import matplotlib.pyplot as plt

    rates = [rates] if isinstance(rates, numbers.Real) else list(rates)
    if not rates:
        raise ValueError("rates must hold at least one learning rate")
    for r in rates:
        check_rate_steps(r, n_steps)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for r in rates:
        _loss_curve(ax, r, n_steps, verdict=verdicts)
    _decorate_loss(ax, n_steps)
    ax.set_title("Which learning rate γ reaches the minimum fastest?")
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

    from helpers.widgets._controls import slider, status_and_image
    from helpers.widgets.fast_figure import FastFigure

    check_rate_steps(rate, n_steps)
    rate_slider = slider(
        widgets.FloatLogSlider,
        "learning rate γ",
        value=rate,
        base=10,
        min=-3,
        max=1,
        step=0.05,
        readout_format=".3g",
    )
    steps_slider = slider(widgets.IntSlider, "steps", value=n_steps, min=1, max=200)
    status, image = status_and_image()

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
