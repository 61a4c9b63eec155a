"""Mini-batch Adam for the small numpy networks of session 3 (the machinery, not the lesson).

Session 3 writes networks as a dict of numpy arrays (``params``) and a function
``loss_and_grads(params, X, Y) -> (loss, grads)`` that returns the loss and a dict of gradients with the
same keys and shapes.  :func:`adam` trains such a network the way scikit-learn's ``MLPClassifier`` does
by default: mini-batches drawn in a new random order every epoch, and the Adam update (Kingma & Ba,
2015) for every array,

    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   w ← w − γ m̂ / (√v̂ + ε),

with m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ) after t updates: a step of about γ per weight, scaled down
where the gradient has been noisy.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from helpers.validation import check_scalar

__all__ = ["adam"]


def adam(
    loss_and_grads: Callable,
    params: dict,
    X,
    Y,
    *,
    lr: float = 0.01,
    epochs: int = 100,
    batch_size: int = 64,
    seed: int = 0,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> tuple[dict, np.ndarray]:
    """Train ``params`` with mini-batch Adam; returns ``(trained params, mean training loss of each epoch)``.

    ``loss_and_grads(params, X_batch, Y_batch)`` returns ``(loss, grads)``, the mean loss over the batch
    and a dict with the keys and shapes of ``params``.  ``X`` and ``Y`` hold one sample per row (first
    axis).  Every epoch visits all samples once, in a new order drawn from ``numpy.random.default_rng(seed)``,
    in batches of ``batch_size`` (the last one may be smaller).  ``params`` is not changed: the result is a
    trained copy.
    """
    lr = check_scalar(lr, "lr", min_val=0.0, include_boundaries="neither")
    epochs = check_scalar(epochs, "epochs", numbers.Integral, min_val=1)
    batch_size = check_scalar(batch_size, "batch_size", numbers.Integral, min_val=1)
    seed = check_scalar(seed, "seed", numbers.Integral, min_val=0)
    beta1, beta2 = (
        check_scalar(b, "betas", min_val=0.0, max_val=1.0, include_boundaries="left") for b in betas
    )
    eps = check_scalar(eps, "eps", min_val=0.0, include_boundaries="neither")
    if not isinstance(params, dict) or not params:
        raise TypeError("params must be a non-empty dict of numpy arrays, e.g. {'W1': ..., 'b1': ...}")
    X, Y = np.asarray(X), np.asarray(Y)
    if len(X) != len(Y) or len(X) == 0:
        raise ValueError(f"X and Y must hold the same number of samples (> 0), got {len(X)} and {len(Y)}")

    params = {name: np.array(value, dtype=np.float64, copy=True) for name, value in params.items()}
    m = {name: np.zeros_like(value) for name, value in params.items()}
    v = {name: np.zeros_like(value) for name, value in params.items()}
    rng = np.random.default_rng(seed)
    losses, t = [], 0
    for _ in range(epochs):
        order = rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, X[batch], Y[batch])
            if not isinstance(grads, dict) or set(grads) != set(params):
                raise ValueError(
                    f"loss_and_grads must return gradients for exactly the keys {sorted(params)}"
                )
            t += 1
            for name, w in params.items():
                g = np.asarray(grads[name], dtype=np.float64)
                if g.shape != w.shape:
                    raise ValueError(f"the gradient of {name!r} has shape {g.shape}, {name} has {w.shape}")
                m[name] = beta1 * m[name] + (1.0 - beta1) * g
                v[name] = beta2 * v[name] + (1.0 - beta2) * g**2
                m_hat = m[name] / (1.0 - beta1**t)
                v_hat = v[name] / (1.0 - beta2**t)
                w -= lr * m_hat / (np.sqrt(v_hat) + eps)
            total += float(loss) * len(batch)
        losses.append(total / len(X))
    return params, np.array(losses)
