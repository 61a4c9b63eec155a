"""One validator for the numbers every function of the course accepts.

In the style of scikit-learn's ``sklearn.utils.check_scalar``: the argument's
name goes into the message, a value of the wrong *type* raises ``TypeError``,
a value of the right type but outside its bounds (or NaN/infinite) raises
``ValueError``.  ``True``/``False`` are never numbers here (Python counts
them as integers, which hides mistakes such as ``biso=True``), and neither
are strings such as ``"0.3"``.

Example::

    >>> check_scalar(0.3, "biso", min_val=0.0, unit="Å²")
    0.3
    >>> check_scalar("0.3", "biso", min_val=0.0)
    Traceback (most recent call last):
    TypeError: biso must be a number, got '0.3' (str)
"""

from __future__ import annotations

import math
import numbers

__all__ = ["check_scalar"]

_KIND = {numbers.Real: "a number", numbers.Integral: "an integer"}


def check_scalar(
    x,
    name: str,
    target_type: type = numbers.Real,
    *,
    min_val: float | None = None,
    max_val: float | None = None,
    include_boundaries: str = "both",
    unit: str = "",
):
    """Validate the scalar argument ``x`` called ``name`` and return it as ``float`` or ``int``.

    Parameters
    ----------
    x : the value to check.
    name : the argument's name, as the caller wrote it (it starts every message).
    target_type : ``numbers.Real`` (any real number; returned as ``float``) or
        ``numbers.Integral`` (whole numbers only; returned as ``int``).
    min_val, max_val : bounds, or ``None`` for no bound.
    include_boundaries : ``"both"``, ``"left"``, ``"right"`` or ``"neither"``:
        which bounds the value may equal.
    unit : the unit, for the message (``"Å²"``).

    Raises
    ------
    TypeError
        ``x`` is not of ``target_type`` (``bool`` and ``str`` never are).
    ValueError
        ``x`` is NaN or infinite, or outside the bounds.
    """
    if target_type not in _KIND:
        raise ValueError(f"target_type must be numbers.Real or numbers.Integral, got {target_type!r}")
    if include_boundaries not in ("both", "left", "right", "neither"):
        raise ValueError(
            f"include_boundaries must be 'both', 'left', 'right' or 'neither', got {include_boundaries!r}"
        )
    kind = _KIND[target_type]
    if isinstance(x, bool) or type(x).__name__ == "bool_" or not isinstance(x, target_type):
        raise TypeError(f"{name} must be {kind}, got {x!r} ({type(x).__name__})")
    value = int(x) if target_type is numbers.Integral else float(x)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {x!r}")
    unit = f" {unit}" if unit else ""
    if min_val is not None:
        closed = include_boundaries in ("both", "left")
        if value < min_val or (value == min_val and not closed):
            sign = ">=" if closed else ">"
            raise ValueError(f"{name} must be {sign} {min_val:g}{unit}, got {x!r}")
    if max_val is not None:
        closed = include_boundaries in ("both", "right")
        if value > max_val or (value == max_val and not closed):
            sign = "<=" if closed else "<"
            raise ValueError(f"{name} must be {sign} {max_val:g}{unit}, got {x!r}")
    return value
