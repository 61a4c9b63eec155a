"""helpers.autodiff: dual numbers give the right derivative for any correct numpy forward pass of session 3.

Exercise 3.1's check accepts many ways of writing the forward pass; the forward-accumulation cell later
runs the student's function on dual numbers.  Every correct way must give the same derivative there."""

import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from scipy.special import expit, softmax

from helpers.autodiff import Dual, forward_derivative

ROOT = Path(__file__).resolve().parent.parent


# ---- correct forward passes, written differently from the solution ---------------------------------------
def forward_solution(params, X):
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return H, E / E.sum(axis=1, keepdims=True)


def forward_np_max_keepdims(params, X):  # the TypeError: Dual.max() got an unexpected keyword 'out'
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    E = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return H, E / np.sum(E, axis=1, keepdims=True)


def forward_np_dot(params, X):  # the "float() argument must be ... not 'Dual'"
    H = np.tanh(np.dot(X, params["W1"]) + params["b1"])
    Z = np.dot(H, params["W2"]) + params["b2"]
    E = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return H, E / np.sum(E, axis=1, keepdims=True)


def forward_index_none(params, X):  # the "'Dual' object is not subscriptable"
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    E = np.exp(Z - Z.max(axis=1)[:, None])
    return H, E / E.sum(axis=1)[:, np.newaxis]


def forward_reshape(params, X):  # the issue's .reshape(-1, 1)
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    E = np.exp(Z - Z.max(axis=1).reshape(-1, 1))
    return H, E / E.sum(axis=1).reshape((len(X), 1))


def forward_einsum_amax(params, X):
    H = np.tanh(np.einsum("nd,dm->nm", X, params["W1"]) + params["b1"][None, :])
    Z = np.matmul(H, params["W2"]) + params["b2"]
    E = np.exp(Z - np.amax(Z, 1, keepdims=True))  # positional axis
    return H, E / np.expand_dims(E.sum(1), 1)


def forward_tanh_by_hand_in_place(params, X):
    A = X.dot(params["W1"]) if isinstance(X, Dual) else np.add(X @ params["W1"], params["b1"])
    H = (np.exp(A) - np.exp(-A)) / (np.exp(A) + np.exp(-A))
    Z = H @ params["W2"] + params["b2"]
    Z = Z - np.maximum.reduce(Z, axis=1, keepdims=True)
    E = np.exp(Z)
    E /= np.sum(E, axis=-1, keepdims=True)
    return H, E


def forward_transposed(params, X):
    A = (params["W1"].T @ X.T).T + params["b1"]
    H = 2.0 * expit(2.0 * A) - 1.0  # tanh(a) = 2 sigmoid(2a) - 1
    Zt = params["W2"].transpose() @ H.T + params["b2"].reshape(-1, 1)  # (K, N)
    Et = np.exp(Zt - Zt.max(axis=0))
    return H, (Et / Et.sum(axis=0)).T


def forward_row_by_row(params, X):
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    P = np.zeros_like(Z)
    for i in range(len(Z)):
        e = np.exp(Z[i] - max(Z[i].max(), Z[i].min()))
        P[i] = e / e.sum()
    return H, P


def forward_log_softmax(params, X):
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    m = np.max(Z, axis=1, keepdims=True)
    log_p = Z - m - np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True))
    return H, np.exp(log_p)


def forward_vstack_where(params, X):
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    shift = np.vstack([row.max() for row in Z])  # (N, 1)
    E = np.where(np.isfinite(Z), np.exp(Z - shift), 0.0)
    return H, E / np.tile(E.sum(axis=1, keepdims=True), (1, Z.shape[1]))


VARIANTS = [
    forward_solution,
    forward_np_max_keepdims,
    forward_np_dot,
    forward_index_none,
    forward_reshape,
    forward_einsum_amax,
    forward_tanh_by_hand_in_place,
    forward_transposed,
    forward_row_by_row,
    forward_log_softmax,
    forward_vstack_where,
]


def cross_entropy(forward, params, X, Y):
    _, P = forward(params, X)
    return -np.mean(np.sum(Y * np.log(P), axis=1))


def backprop(params, X, Y):
    H, P = forward_solution(params, X)
    dZ = (P - Y) / len(X)
    dA = (dZ @ params["W2"].T) * (1.0 - H**2)
    return {"W1": X.T @ dA, "b1": dA.sum(axis=0), "W2": H.T @ dZ, "b2": dZ.sum(axis=0)}


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    n, d, m, k = 12, 5, 4, 3
    params = {
        "W1": rng.normal(size=(d, m)),
        "b1": rng.normal(size=m),
        "W2": rng.normal(size=(m, k)),
        "b2": rng.normal(size=k),
    }
    X = rng.normal(size=(n, d))
    Y = np.eye(k)[rng.integers(0, k, size=n)]
    return params, X, Y


@pytest.mark.parametrize("forward", VARIANTS, ids=lambda f: f.__name__)
def test_every_correct_forward_pass_gives_the_backpropagation_gradient_on_dual_numbers(forward, problem):
    params, X, Y = problem
    H_ref, P_ref = forward_solution(params, X)
    H, P = forward(params, X)  # plain arrays: the same answer
    np.testing.assert_allclose(H, H_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(P, P_ref, rtol=1e-12, atol=1e-12)
    grads = backprop(params, X, Y)
    rng = np.random.default_rng(1)
    for name in params:  # one weight, then a random direction in all of them
        seed = {key: np.zeros_like(v) for key, v in params.items()}
        seed[name].flat[0] = 1.0
        value, deriv = forward_derivative(lambda p: cross_entropy(forward, p, X, Y), params, seed)
        assert value == pytest.approx(cross_entropy(forward_solution, params, X, Y), rel=1e-12)
        assert deriv == pytest.approx(grads[name].flat[0], rel=1e-9, abs=1e-12), name
    direction = {key: rng.normal(size=v.shape) for key, v in params.items()}
    _, deriv = forward_derivative(lambda p: cross_entropy(forward, p, X, Y), params, direction)
    assert deriv == pytest.approx(sum(np.sum(grads[k] * direction[k]) for k in params), rel=1e-9)


def _finite_difference(f, x, dx, eps=1e-6):
    return (f(x + eps * dx) - f(x - eps * dx)) / (2 * eps)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.tanh(x) * np.exp(-x) + np.log(x**2 + 1.0),
        lambda x: np.sqrt(np.abs(x) + 1.0) / (2.0 + np.sin(x)),
        lambda x: np.maximum(x, 0.1) + np.minimum(x, -0.2) + np.clip(x, -0.5, 0.5),
        lambda x: np.where(x > 0, x**3, -x) + expit(x),
        lambda x: np.sum(x.reshape(2, 3) @ np.arange(6.0).reshape(3, 2), axis=0),
        lambda x: np.mean(np.outer(x, x), axis=1) + np.dot(x, x),
        lambda x: np.max(x.reshape(3, 2), axis=1) - np.min(x),
        lambda x: np.concatenate([x[:2], 2.0 * x[::-1]]).T,
        lambda x: np.tensordot(x.reshape(2, 3), np.ones((3, 2)), axes=1).ravel(),
        lambda x: x.reshape(3, 2).transpose().cumsum(axis=1) ** 2.5 if np.all(x.value > 0) else x,
        lambda x: 2.0**x + x**x,
    ],
)
def test_the_rule_of_each_operation_matches_finite_differences(f):
    x = np.array([0.3, 1.2, 0.7, 2.1, 0.45, 1.6])  # no kink of max/clip/abs at these points
    dx = np.array([1.0, -0.5, 0.25, 0.3, -1.0, 0.7])
    out = f(Dual(x, dx))
    expected = _finite_difference(lambda v: f(Dual(v, 0.0)).value, x, dx)
    np.testing.assert_allclose(out.deriv, expected, rtol=1e-6, atol=1e-8)


def test_max_and_min_differentiate_the_winning_element_along_the_axis():
    z = Dual([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], [[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]])
    m = np.max(z, axis=1, keepdims=True)
    assert m.shape == (2, 1)
    np.testing.assert_array_equal(m.value, [[5.0], [7.0]])
    np.testing.assert_array_equal(m.deriv, [[20.0], [50.0]])  # a tie shares the derivative: (40 + 60) / 2
    assert z.min().deriv == 50.0 and z.max(0).deriv.tolist() == [40.0, 20.0, 60.0]


def test_in_place_updates_and_item_assignment_keep_the_derivative():
    z = Dual([1.0, 2.0], [1.0, 0.0])
    z -= z.max()
    z *= 3.0
    np.testing.assert_array_equal(z.value, [-3.0, 0.0])
    np.testing.assert_array_equal(z.deriv, [3.0, 0.0])  # the max, 2, had derivative 0
    p = np.zeros_like(z)
    p[1] = z[0] * 2.0
    assert isinstance(p, Dual) and p.deriv.tolist() == [0.0, 6.0]
    assert (z > -1.0).tolist() == [False, True]  # comparisons give plain arrays
    assert np.argmax(Dual([1.0, 3.0, 2.0], 0.0)) == 1


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda d: np.array(d), "drop the derivative"),
        (lambda d: float(d[0]), "drop its derivative"),
        (lambda d: np.ones(2).dot(d), "np.dot"),
        (lambda d: softmax(d), "scipy.special.softmax"),
        (lambda d: np.arcsinh(d), "no derivative rule for np.arcsinh"),
        (lambda d: np.median(d), "no derivative rule for np.median"),
    ],
)
def test_what_would_lose_the_derivative_says_what_to_write_instead(call, words):
    with pytest.raises(TypeError, match=words):
        call(Dual([1.0, 2.0], [1.0, 0.0]))


def test_forward_derivative_refuses_a_result_that_is_not_a_dual():
    with pytest.raises(TypeError, match="not a Dual"):
        forward_derivative(lambda p: 1.0, {"w": np.ones(2)}, {"w": np.ones(2)})


# ---- the correct variants through the notebook: every later cell that reuses forward -------------------
NOTEBOOK = ROOT / "solutions" / "03_mlp_and_clustering.ipynb"


def _cells_that_reuse_forward():
    """Session 3's code from the set-up to the forward-accumulation cell, the exercises' cells included.

    Figures and optional sections are skipped: they only draw what the cells before them computed."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    last = next(i for i, src in enumerate(code) if "forward_derivative(" in src)
    return [
        src
        for src in code[: last + 1]
        if not src.lstrip().startswith("# extra code") and "linear_training_accuracy" not in src
    ]


@pytest.mark.parametrize(
    "forward",
    [forward_np_max_keepdims, forward_np_dot, forward_index_none, forward_reshape, forward_row_by_row],
    ids=lambda f: f.__name__,
)
def test_session_3_runs_with_a_forward_pass_written_differently(forward, monkeypatch, capsys):
    matplotlib.use("Agg")
    monkeypatch.chdir(NOTEBOOK.parent)
    namespace: dict = {}
    for src in _cells_that_reuse_forward():
        exec(compile(src, str(NOTEBOOK), "exec"), namespace)  # noqa: S102 - the course's own notebook
        if "def forward(" in src:
            namespace["forward"] = forward  # the student's version replaces the solution from here on
    out = capsys.readouterr().out
    assert "✘" not in out, out
    forward_line = next(line for line in out.splitlines() if "forward accumulation" in line)
    numbers = [
        float(w.strip(","))
        for w in forward_line.split()
        if w.strip(",").replace(".", "").lstrip("-").isdigit()
    ]
    assert len(numbers) >= 2 and numbers[-2] == pytest.approx(numbers[-1], rel=1e-7), forward_line
