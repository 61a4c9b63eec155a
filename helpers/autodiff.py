"""Forward accumulation with dual numbers: arrays whose every element carries its derivative.

A dual number is a + b ε with ε² = 0.  Then (a + b ε)(c + d ε) = ac + (ad + bc) ε and
f(a + b ε) = f(a) + f'(a) b ε: the product rule and the chain rule are done by the arithmetic itself.
:class:`Dual` holds two arrays, the values ``a`` and the derivatives ``b``, and tells numpy the rule of each
operation, so that plain numpy code (the forward pass of session 3's MLP, written in any correct style) runs
on it unchanged and returns, next to its result, the derivative of that result with respect to whatever the
derivative parts were seeded with::

    W = Dual(W_value, seed)        # seed: 1 where we differentiate, 0 elsewhere
    loss = my_loss(W, X, Y)        # any numpy code
    loss.deriv                     # d loss / d (the seeded direction)

What numpy code works: every arithmetic operator and ``@``; ``np.exp``, ``np.log``, ``np.tanh``, ``np.sqrt``,
powers and the other smooth ufuncs below (and scipy's ``expit``); ``np.maximum``/``np.minimum``,
``np.abs``, ``np.where``, ``np.clip``; reductions (``sum``, ``mean``, ``max``, ``min``, as functions or
methods, with ``axis`` and ``keepdims``); ``np.dot``, ``np.einsum``, ``np.tensordot``, ``np.outer``;
indexing (``Z[:, None]``, ``Z[i]``), ``reshape``, ``.T``, ``transpose``, stacking and concatenating;
comparisons and ``argmax`` (which give plain arrays); in-place updates (``Z -= m``, ``P[i] = ...``).
What cannot work is turning a Dual into a plain float array (``np.array(...)``, ``np.asarray``,
``float(...)``, ``ndarray.dot(dual)``): that would drop the derivative, so it raises a ``TypeError``
that says which call to write instead.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Dual", "forward_derivative"]

_HELP = (
    "write that step with numpy operators and functions instead (+, *, @, np.dot, np.exp, "
    "np.max(..., axis=..., keepdims=True), np.sum, .reshape, [:, None], ...)"
)


def _value(x):
    return x.value if isinstance(x, Dual) else x


def _deriv(x):
    return x.deriv if isinstance(x, Dual) else np.zeros(np.shape(x))


def _map(x, f):
    """Apply f to every Dual in x, looking inside lists and tuples (np.concatenate([a, b]))."""
    if isinstance(x, Dual):
        return f(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_map(item, f) for item in x)
    return x


def _zero_if_constant(x):
    """The derivative of an argument: its deriv if it is a Dual, zeros if it is an array or number."""
    if isinstance(x, Dual):
        return x.deriv
    if isinstance(x, (list, tuple)):
        return type(x)(_zero_if_constant(item) for item in x)
    return np.zeros(np.shape(x))


# f(a + da ε) = f(a) + f'(a) da ε for the ufuncs of one argument: f'(a), given a and f(a)
_UNARY = {
    np.negative: lambda a, fa: -1.0,
    np.positive: lambda a, fa: 1.0,
    np.exp: lambda a, fa: fa,
    np.exp2: lambda a, fa: fa * np.log(2.0),
    np.expm1: lambda a, fa: fa + 1.0,
    np.log: lambda a, fa: 1.0 / a,
    np.log2: lambda a, fa: 1.0 / (a * np.log(2.0)),
    np.log10: lambda a, fa: 1.0 / (a * np.log(10.0)),
    np.log1p: lambda a, fa: 1.0 / (1.0 + a),
    np.tanh: lambda a, fa: 1.0 - fa**2,
    np.sinh: lambda a, fa: np.cosh(a),
    np.cosh: lambda a, fa: np.sinh(a),
    np.sin: lambda a, fa: np.cos(a),
    np.cos: lambda a, fa: -np.sin(a),
    np.arctan: lambda a, fa: 1.0 / (1.0 + a**2),
    np.sqrt: lambda a, fa: 0.5 / fa,
    np.cbrt: lambda a, fa: 1.0 / (3.0 * fa**2),
    np.square: lambda a, fa: 2.0 * a,
    np.reciprocal: lambda a, fa: -(fa**2),
    np.absolute: lambda a, fa: np.sign(a),
}
try:  # the logistic sigmoid of scipy is a ufunc too
    from scipy.special import expit, log_expit

    _UNARY[expit] = lambda a, fa: fa * (1.0 - fa)
    _UNARY[log_expit] = lambda a, fa: 1.0 - expit(a)
except ImportError:  # pragma: no cover - scipy is a dependency of the course
    pass

# the same for two arguments: d f(a, b) = f_a da + f_b db
_BINARY = {
    np.add: lambda a, b, da, db, fab: da + db,
    np.subtract: lambda a, b, da, db, fab: da - db,
    np.multiply: lambda a, b, da, db, fab: da * b + a * db,
    np.divide: lambda a, b, da, db, fab: (da - fab * db) / b,
    np.matmul: lambda a, b, da, db, fab: np.matmul(da, b) + np.matmul(a, db),
    np.maximum: lambda a, b, da, db, fab: np.where(a >= b, da, db),
    np.minimum: lambda a, b, da, db, fab: np.where(a <= b, da, db),
    np.fmax: lambda a, b, da, db, fab: np.where(a >= b, da, db),
    np.fmin: lambda a, b, da, db, fab: np.where(a <= b, da, db),
    np.power: lambda a, b, da, db, fab: (
        b * np.power(a, b - 1.0) * da + (np.log(np.where(a > 0, a, 1.0)) * fab * db if np.any(db) else 0.0)
    ),
    np.float_power: lambda a, b, da, db, fab: (
        b * np.float_power(a, b - 1.0) * da
        + (np.log(np.where(a > 0, a, 1.0)) * fab * db if np.any(db) else 0.0)
    ),
    np.logaddexp: lambda a, b, da, db, fab: np.exp(a - fab) * da + np.exp(b - fab) * db,
    np.arctan2: lambda a, b, da, db, fab: (b * da - a * db) / (a**2 + b**2),
    np.hypot: lambda a, b, da, db, fab: (a * da + b * db) / fab,
}

# ufuncs whose result is piecewise constant (comparisons, rounding, tests): a plain array of the values
_PLAIN = {
    np.greater,
    np.greater_equal,
    np.less,
    np.less_equal,
    np.equal,
    np.not_equal,
    np.sign,
    np.isfinite,
    np.isnan,
    np.isinf,
    np.signbit,
    np.floor,
    np.ceil,
    np.rint,
    np.trunc,
    np.logical_and,
    np.logical_or,
    np.logical_not,
}

# numpy functions that are linear in their array arguments: f(a + da ε) = f(a) + f(da) ε
_LINEAR = {
    np.sum,
    np.mean,
    np.average,
    np.nansum,
    np.cumsum,
    np.diff,
    np.trace,
    np.reshape,
    np.ravel,
    np.transpose,
    np.swapaxes,
    np.moveaxis,
    np.expand_dims,
    np.squeeze,
    np.broadcast_to,
    np.atleast_1d,
    np.atleast_2d,
    np.concatenate,
    np.stack,
    np.vstack,
    np.hstack,
    np.column_stack,
    np.row_stack if hasattr(np, "row_stack") else np.vstack,
    np.tile,
    np.repeat,
    np.flip,
    np.roll,
    np.take,
    np.take_along_axis,
    np.diagonal,
    np.copy,
    np.real,
}
# numpy functions that are linear in each array argument separately (products): sum over the arguments
_MULTILINEAR = {np.dot, np.vdot, np.inner, np.outer, np.tensordot, np.einsum, np.kron, np.cross}
# numpy functions of the shape only
_SHAPE = {np.shape: np.shape, np.ndim: np.ndim, np.size: np.size}
# numpy functions whose result does not depend smoothly on the values: a plain array of the values
_PLAIN_FUNCTIONS = {np.argmax, np.argmin, np.argsort, np.sort, np.isclose, np.allclose, np.all, np.any}


def _reduce_max(func):
    """max/min over some axes: the derivative of the element that wins (the mean of the tied ones)."""

    def reduce(a, axis=None, out=None, keepdims=False, **kwargs):
        if out is not None:
            raise TypeError("Dual: np.max/np.min with out=... are not supported; assign the result instead")
        value = func(a.value, axis=axis, keepdims=True, **kwargs)
        winner = (a.value == value).astype(float)
        deriv = (a.deriv * winner).sum(axis=axis, keepdims=True) / winner.sum(axis=axis, keepdims=True)
        if not keepdims:
            value, deriv = np.squeeze(value, axis=axis), np.squeeze(deriv, axis=axis)
        return Dual(value, deriv)

    return reduce


def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.where(_value(condition))
    condition = _value(condition)
    return Dual(np.where(condition, _value(x), _value(y)), np.where(condition, _deriv(x), _deriv(y)))


def _clip(a, a_min=None, a_max=None, **kwargs):
    value = np.clip(a.value, _value(a_min), _value(a_max), **kwargs)
    inside = value == a.value
    return Dual(value, np.where(inside, a.deriv, 0.0))


def _like(func):
    def like(a, *args, **kwargs):
        value = func(a.value, *args, **kwargs)
        return Dual(value, np.zeros(np.shape(value)))

    return like


_SPECIAL = {
    np.max: _reduce_max(np.max),
    np.amax: _reduce_max(np.amax),
    np.min: _reduce_max(np.min),
    np.amin: _reduce_max(np.amin),
    np.nanmax: _reduce_max(np.nanmax),
    np.nanmin: _reduce_max(np.nanmin),
    np.where: _where,
    np.clip: _clip,
    np.zeros_like: _like(np.zeros_like),
    np.ones_like: _like(np.ones_like),
    np.empty_like: _like(np.zeros_like),
    np.full_like: _like(np.full_like),
}


_REDUCE = {np.add: np.sum, np.maximum: np.max, np.minimum: np.min}


class Dual(np.lib.mixins.NDArrayOperatorsMixin):
    """An array of dual numbers value + deriv·ε (ε² = 0): numpy code on it carries derivatives along.

    ``value`` and ``deriv`` are float arrays of one shape (a number for ``deriv`` is broadcast).
    """

    __array_priority__ = 1000

    def __init__(self, value, deriv=0.0):
        self.value = np.array(value, dtype=float)
        deriv = np.asarray(deriv, dtype=float)
        self.deriv = np.array(np.broadcast_to(deriv, self.value.shape), dtype=float)

    # ---- what numpy asks a foreign array -----------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if method == "reduce" and ufunc in _REDUCE:  # np.maximum.reduce(Z, axis=1) is np.max(Z, axis=1)
            if out is not None:
                raise TypeError(f"Dual: np.{ufunc.__name__}.reduce(..., out=...) is not supported")
            return _REDUCE[ufunc](*inputs, **kwargs)
        if method != "__call__":
            raise TypeError(
                f"Dual: np.{ufunc.__name__}.{method}(...) is not supported; "
                f"use np.sum/np.max/np.cumsum(..., axis=...) instead"
            )
        a = [_value(x) for x in inputs]
        if ufunc in _PLAIN:
            result = ufunc(*a, **kwargs)
        elif ufunc in _UNARY:
            fa = ufunc(a[0], **kwargs)
            result = Dual(fa, _UNARY[ufunc](a[0], fa) * _deriv(inputs[0]))
        elif ufunc in _BINARY:
            fab = ufunc(a[0], a[1], **kwargs)
            da, db = _deriv(inputs[0]), _deriv(inputs[1])
            result = Dual(fab, _BINARY[ufunc](np.asarray(a[0], float), np.asarray(a[1], float), da, db, fab))
        else:
            raise TypeError(
                f"Dual numbers know no derivative rule for np.{ufunc.__name__}; "
                "write it with +, -, *, /, @, np.exp, np.log, np.tanh, np.maximum, ..."
            )
        if out is None:
            return result
        target = out[0]
        if isinstance(target, Dual):  # Z -= m, P /= s: update the Dual in place
            target[...] = result
            return target
        if isinstance(result, Dual):
            raise TypeError(
                f"Dual: np.{ufunc.__name__}(..., out=a plain array) would drop the derivative; "
                "assign the result to a new name instead"
            )
        target[...] = result
        return target

    def __array_function__(self, func, types, args, kwargs):
        if func in _SHAPE:
            return _SHAPE[func](_map(args[0], _value))
        if func in _PLAIN_FUNCTIONS:
            return func(*_map(args, _value), **{k: _map(v, _value) for k, v in kwargs.items()})
        if func in _SPECIAL:
            return _SPECIAL[func](*args, **kwargs)
        if func in _LINEAR:
            value = func(*_map(args, _value), **kwargs)
            deriv = func(_zero_if_constant(args[0]), *_map(args[1:], _value), **kwargs)
            return Dual(value, deriv)
        if func in _MULTILINEAR:
            values = _map(list(args), _value)
            value = func(*values, **kwargs)
            deriv = np.zeros(np.shape(value))
            for i, x in enumerate(args):
                if isinstance(x, Dual):
                    deriv = deriv + func(*values[:i], x.deriv, *values[i + 1 :], **kwargs)
            return Dual(value, deriv)
        raise TypeError(
            f"Dual numbers know no derivative rule for np.{func.__name__}; "
            "write that step with numpy operators, np.sum/np.max(..., axis=..., keepdims=True), "
            "np.exp, np.log, np.tanh, @ or np.dot"
        )

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "a Dual (a value with its derivative, from the forward-accumulation cell) was turned into a plain "
            "array, which would drop the derivative. np.array(...), np.asarray(...), float(...), "
            "ndarray.dot(dual) and scipy functions such as scipy.special.softmax do that; " + _HELP
        )

    def __float__(self):
        raise TypeError(
            "float() of a Dual would drop its derivative; use .value for the number, .deriv for d/dε"
        )

    # ---- array-like behaviour ----------------------------------------------------------------------------
    @property
    def shape(self):
        return self.value.shape

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def size(self):
        return self.value.size

    @property
    def dtype(self):
        return self.value.dtype

    @property
    def T(self):
        return Dual(self.value.T, self.deriv.T)

    def __len__(self):
        return len(self.value)

    def __getitem__(self, key):
        key = _map(key, _value)
        return Dual(self.value[key], self.deriv[key])

    def __setitem__(self, key, item):
        key = _map(key, _value)
        self.value[key] = _value(item)
        self.deriv[key] = _deriv(item)

    def __repr__(self):
        return f"Dual(value={self.value!r}, deriv={self.deriv!r})"

    # the ndarray methods a forward pass may call, each the numpy function of the same name
    def sum(self, *args, **kwargs):
        return np.sum(self, *args, **kwargs)

    def mean(self, *args, **kwargs):
        return np.mean(self, *args, **kwargs)

    def max(self, *args, **kwargs):
        return np.max(self, *args, **kwargs)

    def min(self, *args, **kwargs):
        return np.min(self, *args, **kwargs)

    def cumsum(self, *args, **kwargs):
        return np.cumsum(self, *args, **kwargs)

    def argmax(self, *args, **kwargs):
        return np.argmax(self.value, *args, **kwargs)

    def argmin(self, *args, **kwargs):
        return np.argmin(self.value, *args, **kwargs)

    def clip(self, *args, **kwargs):
        return np.clip(self, *args, **kwargs)

    def dot(self, other):
        return np.dot(self, other)

    def reshape(self, *shape, **kwargs):
        return np.reshape(self, shape[0] if len(shape) == 1 else shape, **kwargs)

    def transpose(self, *axes):
        return np.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    def swapaxes(self, a, b):
        return np.swapaxes(self, a, b)

    def squeeze(self, *args, **kwargs):
        return np.squeeze(self, *args, **kwargs)

    def ravel(self, *args, **kwargs):
        return np.ravel(self, *args, **kwargs)

    def flatten(self):
        return np.ravel(self).copy()

    def copy(self):
        return Dual(self.value.copy(), self.deriv.copy())

    def astype(self, dtype, **kwargs):
        if not np.issubdtype(np.dtype(dtype), np.floating):
            raise TypeError(f"Dual: .astype({dtype}) would drop the derivative; only float types are kept")
        return self.copy()


def forward_derivative(f, params: dict, direction: dict, *args, **kwargs):
    """d f(params, *args) in the direction ``direction`` (a dict like params), by one pass on dual numbers.

    Returns ``(value, derivative)`` of ``f``'s result.  Keys missing from ``direction`` are held fixed."""
    duals = {name: Dual(v, direction.get(name, 0.0)) for name, v in params.items()}
    out = f(duals, *args, **kwargs)
    if not isinstance(out, Dual):
        raise TypeError(
            f"{getattr(f, '__name__', 'f')} returned {type(out).__name__}, not a Dual: "
            "its result does not depend on the parameters, or it was turned into a plain number on the way"
        )
    return out.value, out.deriv
