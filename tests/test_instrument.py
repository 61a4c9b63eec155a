"""helpers.instrument: one validated object for the instrument parameters of a fit."""

from __future__ import annotations

import pytest

from helpers.instrument import Instrument


def test_values_are_checked_once_against_the_parameter_table():
    inst = Instrument(1, 25, qdamp=0.04)
    assert (inst.qmin, inst.qmax, inst.qdamp, inst.qbroad, inst.biso, inst.delta2) == (
        1.0,
        25.0,
        0.04,
        0.0,
        None,
        None,
    )
    assert inst.calibrated and not Instrument(0.0, 25.0).calibrated
    assert inst.with_(qbroad=0.01).qbroad == 0.01


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"qmin": 1.0, "qmax": 0.5}, ValueError, "qmax must be >= 1"),
        ({"qmin": 26.0, "qmax": 25.0}, ValueError, "qmin must be <= 5"),
        ({"qmin": 1.0, "qmax": 25.0, "qdamp": -0.1}, ValueError, "qdamp must be >= 0"),
        ({"qmin": 1.0, "qmax": 25.0, "qbroad": 0.9}, ValueError, "qbroad must be <= 0.5"),
        ({"qmin": 1.0, "qmax": 25.0, "delta2": 7.0}, ValueError, "delta2 must be <= 5"),
        ({"qmin": 1.0, "qmax": 25.0, "qdamp": "0.04"}, TypeError, "qdamp must be a number"),
        ({"qmin": None, "qmax": 25.0}, ValueError, "qmin is required"),
    ],
)
def test_wrong_values_are_refused_with_their_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        Instrument(**kwargs)


def test_it_is_frozen():
    with pytest.raises(AttributeError):
        Instrument(1.0, 25.0).qmax = 30.0
