"""Gradient descent on a 2-D quadratic bowl: a step that is too small, right, or too large.

The problem is

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

This module computes; :mod:`helpers.widgets.gradient_descent` draws (the
learning-rate explorer of session 2), and Exercise 2.5's self-check uses
:func:`loss_after_steps`.
"""

from __future__ import annotations

import numbers

import numpy as np

from helpers.validation import check_scalar

CURVATURES = (1.0, 0.2)
"""Eigenvalues of A: the bowl's curvature along its steep and its shallow axis."""
ANGLE_DEG = 30.0
"""How far the bowl's axes are turned from the w₁, w₂ axes (degrees)."""
W_STAR = np.array([1.0, 0.5])
"""The minimum w* (f(w*) = 0)."""
W_START = np.array([-2.0, 2.5])
"""Where every run starts."""
DIVERGED = 1e4
"""A loss above this (≈ 1000 × the start) counts as diverged; runs stop there."""

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


def check_rate_steps(rate, n_steps) -> tuple[float, int]:
    """Validate a learning rate (a number > 0) and a number of steps (an integer >= 0)."""
    rate = check_scalar(rate, "rate (the learning rate γ)", min_val=0.0, include_boundaries="neither")
    n_steps = check_scalar(n_steps, "n_steps", numbers.Integral, min_val=0)
    return rate, n_steps


def gradient_descent(rate: float, n_steps: int = 50, w0=W_START) -> tuple[np.ndarray, np.ndarray]:
    """Run ``n_steps`` steps of gradient descent with learning rate ``rate`` from ``w0``.

    Returns ``(path, losses)``: the points w_0 ... w_n (shape (n_steps + 1, 2)) and their losses
    (shape (n_steps + 1,)).  Once the loss passes :data:`DIVERGED` the run stops; the remaining
    entries are ``nan`` (path) and ``inf`` (losses).
    """
    rate, n_steps = check_rate_steps(rate, n_steps)
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
    rate, n_steps = check_rate_steps(rate, n_steps)
    f0, fn = loss(W_START), loss_after_steps(rate, n_steps)
    zigzag = rate * max(CURVATURES) > 1
    if not np.isfinite(fn) or fn > f0:
        return "diverging"
    if zigzag and fn > 1e-3 * f0:
        return "oscillating"
    if fn > 0.1 * f0:
        return "too slow"
    return "good"
