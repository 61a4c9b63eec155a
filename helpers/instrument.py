"""The instrument (and fixed sample) parameters of a fit, as one validated object.

:class:`Instrument` holds what a PDF scientist calibrates or fixes before fitting a sample:
the Q range of the Fourier transform (``qmin``, ``qmax``), the resolution damping ``qdamp``
and broadening ``qbroad`` (PDFfit2/PDFgui conventions), and, optionally, fixed ``biso`` and
``delta2``.  ``None`` means "refine it".  Every value is checked once, here, against the
physical limits of the one parameter table :data:`helpers.simulation.PARAMETERS` (``qbroad``,
which the course's simulations do not use, has its own limits below).

Calibration as PDF scientists do it: fit a bulk standard (Ni, CeO2, ...) measured on the same
instrument with Qdamp and Qbroad free, then fix them for the sample (``--calibrant FILE`` or
``--qdamp/--qbroad`` of ``python -m helpers.identify``; :func:`helpers.identify.calibrate`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from helpers.simulation import TABLE
from helpers.validation import check_scalar

QBROAD_LIMITS = (0.0, 0.5)
"""Physical limits (Å⁻¹) of Qbroad (PDFfit2's resolution peak broadening); synchrotron set-ups: 0-0.05."""


def _check(name: str, value, limits, *, optional: bool) -> float | None:
    if value is None:
        if optional:
            return None
        raise ValueError(f"{name} is required (Å⁻¹)")
    return check_scalar(value, name, min_val=limits[0], max_val=limits[1])


@dataclass(frozen=True)
class Instrument:
    """qmin, qmax (Å⁻¹, required); qdamp, qbroad (Å⁻¹), biso, delta2 (Å²): None = refined."""

    qmin: float
    qmax: float
    qdamp: float | None = None
    qbroad: float | None = 0.0
    biso: float | None = None
    delta2: float | None = None

    def __post_init__(self):
        checked = {
            "qmin": _check("qmin", self.qmin, TABLE["qmin"].limits, optional=False),
            "qmax": _check("qmax", self.qmax, TABLE["qmax"].limits, optional=False),
            "qdamp": _check("qdamp", self.qdamp, TABLE["qdamp"].limits, optional=True),
            "qbroad": _check("qbroad", self.qbroad, QBROAD_LIMITS, optional=True),
            "biso": _check("biso", self.biso, TABLE["biso"].limits, optional=True),
            "delta2": _check("delta2", self.delta2, TABLE["delta2"].limits, optional=True),
        }
        if not checked["qmin"] < checked["qmax"]:
            raise ValueError(f"qmin must be smaller than qmax, got qmin={self.qmin} and qmax={self.qmax} Å⁻¹")
        for key, value in checked.items():
            object.__setattr__(self, key, value)

    def with_(self, **changes) -> Instrument:
        """A copy with some values changed (validated again)."""
        return replace(self, **changes)

    @property
    def calibrated(self) -> bool:
        """True when Qdamp is fixed (given or from a calibrant), not refined per sample."""
        return self.qdamp is not None
