"""helpers.validation.check_scalar: TypeError for a wrong type, ValueError for a wrong value, the name in both."""

import numbers

import numpy as np
import pytest

from helpers.validation import check_scalar


@pytest.mark.parametrize("x", [0.3, 1, np.float64(0.3), np.int64(2), np.float32(0.5)])
def test_real_numbers_are_accepted_and_returned_as_float(x):
    out = check_scalar(x, "biso", min_val=0.0)
    assert type(out) is float and out == float(x)


@pytest.mark.parametrize("x", [True, np.bool_(False), "0.3", None, [0.3], np.array([0.3])])
def test_wrong_types_raise_type_error_naming_the_argument(x):
    with pytest.raises(TypeError, match=r"^biso must be a number, got"):
        check_scalar(x, "biso")


def test_integers_only_for_integral():
    assert check_scalar(np.int64(3), "size", numbers.Integral, min_val=1) == 3
    assert type(check_scalar(np.int64(3), "size", numbers.Integral)) is int
    with pytest.raises(TypeError, match="size must be an integer, got 3.0"):
        check_scalar(3.0, "size", numbers.Integral)


@pytest.mark.parametrize("x", [float("nan"), float("inf"), -np.inf])
def test_non_finite_values_raise_value_error(x):
    with pytest.raises(ValueError, match="qmax must be finite"):
        check_scalar(x, "qmax")


def test_bounds_and_their_boundaries():
    with pytest.raises(ValueError, match=r"^qdamp must be >= 0 Å⁻¹, got -0.1$"):
        check_scalar(-0.1, "qdamp", min_val=0.0, unit="Å⁻¹")
    with pytest.raises(ValueError, match=r"qmax must be <= 100"):
        check_scalar(101, "qmax", max_val=100)
    assert check_scalar(0.0, "x", min_val=0.0) == 0.0
    with pytest.raises(ValueError, match=r"x must be > 0"):
        check_scalar(0.0, "x", min_val=0.0, include_boundaries="right")
    with pytest.raises(ValueError, match=r"x must be < 1"):
        check_scalar(1.0, "x", max_val=1.0, include_boundaries="left")
    assert check_scalar(1.0, "x", max_val=1.0, include_boundaries="right") == 1.0
