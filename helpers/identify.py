"""Which structure is my nanoparticle?  A learned model proposes, a fit to the data decides.

:func:`identify` gives the whole answer for one measured PDF file, in the two
steps research tools for this question take (DeepStruc, MetalFinder, cluster
mining):

1. **propose**: a classifier trained on the course's simulated dataset gives a
   probability for each of the seven structure types;
2. **verify**: every type is fitted to the data, as a PDF scientist would in PDFgui:

   * the four lattice types (FCC, BCC, HCP, SC) as a **crystal times a spherical
     envelope** of refined diameter D (PDFgui's ``spdiameter``; D → ∞ is bulk):
     lattice constant a (HCP: and c/a), Biso, δ2, 1/D and Qdamp
     (:func:`helpers.crystal.fit_crystal`);
   * the finite clusters (Icosahedral, Decahedral, Octahedral) as every particle of
     the catalogue (:func:`helpers.fit.fit_type`: d_nn, Biso, Qdamp, δ2).

   Every refined parameter has an esd (from the Jacobian, corrected for a fit grid
   finer than π/Qmax: :func:`helpers.fit.standard_uncertainties`).

The answer is an :class:`Identification`: a table with one row per type, sorted by
Rw, the fits, and plain-language warnings where the input lies outside what the
models know, where a parameter ended at a bound, or where the data do not decide.
Two candidates whose Rw differ by less than :data:`UNDECIDED` are not told apart
by the data: an octahedron is a piece of fcc crystal, so FCC and Octahedral often
end there.

Command line::

    python -m helpers.identify data/measured/JQ_S1.gr [--qmax Q] [--plot fit.png]
    python -m helpers.identify frames/*.gr --jobs 2 --out results.csv   # a series: one row per file
        [--calibrant Ni.gr | --qdamp 0.04 --qbroad 0.0] [--save-fit fit.fgr]

Instrument calibration, as PDF scientists do it: measure a bulk standard (Ni, Pt,
CeO2 ...) on the same set-up, fit it (``--calibrant FILE``: its Qdamp and Qbroad are
refined with the crystal, 1/D = 0), then fix them for the sample.  Without it Qdamp
is refined with the size, which makes the size less certain (a warning says so).

The classifier (:mod:`helpers.classifier`) is stored as plain arrays next to the
dataset (``data/classifier.npz``, written by ``make data``) and loaded in
milliseconds; if the dataset changed it is trained again (a few seconds,
deterministic) and kept in the user's cache folder.  Several files, ``--jobs``,
``--out`` and ``--scheduler`` run a series (:mod:`helpers.series`): one row per file.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.classifier import Classifier, classifier, entropy
from helpers.crystal import LATTICES, fit_crystal
from helpers.data import MEASURED_R_MAX
from helpers.fit import R_RANGE, FitData, fit_type, prepare_data
from helpers.instrument import Instrument
from helpers.measured import MeasuredPDF, estimate_qmax, prepare_measured, read_pdf
from helpers.simulation import TABLE
from helpers.structures import SIZES, STRUCTURE_TYPES, nearest_neighbour_distance

__all__ = ["COLUMNS", "Identification", "calibrate", "estimate_qmax", "format_table", "identify", "main"]

UNDECIDED = 0.02
"""Rw difference below which the data do not tell two candidates apart."""

OUTLINE_UNDECIDED = 0.05
"""Rw difference below which FCC (fcc crystal × sphere) and Octahedral (catalogue octahedra) are not told apart:
both are fcc packing and differ only in the outline model (a sphere of continuous diameter against octahedra of
eight sizes); on simulated fcc particles of either outline the wrong one fits within 0.035 of the right one."""

POOR_RW = {"crystal": 0.15, "nanoparticle": 0.30}
"""Best Rw above which the fit counts as poor, per regime: a refined crystal reaches Rw < 0.1 on good
synchrotron data (Egami & Billinge 2012; Farrow et al. 2007: Ni 0.03-0.08 over 1.5-20 Å), a model
nanoparticle 0.1-0.25 (ligands, surface relaxation and size distributions are not modelled)."""

COLUMNS = [
    "probability", "rw", "model", "shape", "size", "n_atoms", "diameter", "diameter_esd", "diameter_min",
    "a", "a_esd", "c", "c_esd", "d_nn", "d_nn_esd", "biso", "biso_esd", "qdamp", "qdamp_esd",
    "delta2", "delta2_esd", "scale", "at_bounds",
]  # fmt: skip
"""The columns of the table :func:`identify` returns (units: Å, Å², Å⁻¹; ``_esd``: standard uncertainty;
``diameter`` inf for bulk, ``diameter_min`` the smallest diameter the data support; ``a`` of the lattice or
the fcc packing, NaN for icosahedra and decahedra; ``c`` for HCP; ``at_bounds`` the parameters that ended at
a bound)."""

# --------------------------------------------------------------------------- reading the input


# --------------------------------------------------------------------------- calibration


def calibrate(source, *, qmax: float | None = None, qmin: float | None = None, rmax: float = R_RANGE[1]):
    """Qdamp and Qbroad of an instrument, from a bulk standard measured on it (as PDF scientists do).

    The calibrant (``source``: a file or ``(r, g)``; e.g. Ni or Pt powder) is fitted as a bulk crystal
    (:func:`helpers.crystal.fit_crystal` with 1/D = 0) of each lattice type, Qdamp and Qbroad free; the
    best lattice's values are returned as an :class:`helpers.instrument.Instrument` (with the
    calibrant's Q range) and the fit, ``(instrument, fit)``.  Fix them for a sample measured on the same
    set-up: ``identify(sample, qdamp=instrument.qdamp, qbroad=instrument.qbroad)`` or the command
    line's ``--calibrant FILE``.
    """
    m = read_pdf(source, qmax=qmax, qmin=qmin)
    data = prepare_data(m.r, m.g, qmin=m.qmin, qmax=m.qmax, r_range=(R_RANGE[0], rmax))
    fits = [fit_crystal(data, lattice, bulk=True, refine_qbroad=True) for lattice in LATTICES]
    best = min(fits, key=lambda f: f.rw)
    if best.rw > POOR_RW["crystal"]:
        raise ValueError(
            f"{m.name}: the calibrant does not fit as a bulk crystal (best: {best.structure_type}, Rw = "
            f"{best.rw:.3f} > {POOR_RW['crystal']}); a calibrant must be a well-crystallised standard (Ni, Pt, CeO2 ...)"
        )
    return Instrument(m.qmin, m.qmax, qdamp=best.qdamp, qbroad=best.qbroad), best


# --------------------------------------------------------------------------- the whole answer


@dataclass(frozen=True)
class Identification:
    """The answer of :func:`identify` for one measured PDF.

    ``table``: one row per structure type, sorted by Rw (best first), columns :data:`COLUMNS`;
    ``warnings``: plain-language warnings; ``fits``: the fit of each type (a
    :class:`helpers.crystal.CrystalFit` for the lattice types, a :class:`helpers.fit.FitResult`
    for the finite clusters), with ``.r``, ``.g_obs``, ``.g_calc`` and ``.esd``; ``esd``: the esd's
    of each type's refined parameters; ``source``, ``qmin``, ``qmax``, ``entropy``, ``instrument``.
    """

    table: pd.DataFrame
    warnings: list
    fits: dict
    source: str
    qmin: float
    qmax: float
    entropy: float
    instrument: Instrument
    measurement: MeasuredPDF

    @property
    def esd(self) -> dict:
        return {t: dict(f.esd) for t, f in self.fits.items()}

    @property
    def best(self) -> str:
        return str(self.table.index[0])

    def summary(self) -> dict:
        """One line of a series table: best type, Rw, runner-up, size and lattice constants with esd's."""
        t = self.table
        best, second = t.iloc[0], t.iloc[1]
        return {
            "best": str(t.index[0]),
            "rw": float(best["rw"]),
            "runner_up": str(t.index[1]),
            "runner_up_rw": float(second["rw"]),
            "diameter": float(best["diameter"]),
            "diameter_esd": float(best["diameter_esd"]),
            "a": float(best["a"]),
            "a_esd": float(best["a_esd"]),
            "c": float(best["c"]),
            "c_esd": float(best["c_esd"]),
            "n_warnings": len(self.warnings),
        }


_NAN = float("nan")


def _row(p: float, fit) -> list:
    """The table row of one type's fit (see :data:`COLUMNS`)."""
    esd = fit.esd
    if fit.model == "crystal":
        a, c = fit.a, (fit.c if fit.structure_type == "HCP" else _NAN)
        a_esd, c_esd = esd.get("a", _NAN), esd.get("c", _NAN)
        diameter_esd, diameter_min = esd.get("diameter", _NAN), fit.diameter_min
    else:
        per_a = {"FCC": math.sqrt(2.0), "Octahedral": math.sqrt(2.0), "BCC": 2 / math.sqrt(3.0), "SC": 1.0}
        factor = per_a.get(fit.structure_type, _NAN)  # icosahedra and decahedra have no lattice constant
        a, c = fit.d_nn * factor, _NAN
        a_esd, c_esd = esd.get("d_nn", _NAN) * factor, _NAN
        diameter_esd, diameter_min = _NAN, _NAN
    return [
        p, fit.rw, fit.model, fit.shape, fit.size, fit.n_atoms, fit.diameter, diameter_esd, diameter_min,
        a, a_esd, c, c_esd, fit.d_nn, esd.get("d_nn", _NAN), fit.biso, esd.get("biso", _NAN),
        fit.qdamp, esd.get("qdamp", _NAN), fit.delta2, esd.get("delta2", _NAN), fit.scale,
        ", ".join(fit.at_bounds),
    ]  # fmt: skip


def _fit_all(data: FitData, workers: int) -> dict:
    """The fit of every type: crystal × sphere for the lattice types, every catalogue size for the clusters.

    BLAS is held to one thread meanwhile: the fits' own threads use the cores, and BLAS threads on top
    of them would only oversubscribe (also when identify is called from Python, not the command line).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        crystals = dict(zip(LATTICES, pool.map(lambda t: fit_crystal(data, t), LATTICES)))
        clusters = {t: fit_type(data, t, mapper=pool.map) for t in STRUCTURE_TYPES if t not in LATTICES}
    return {t: crystals[t] if t in crystals else clusters[t] for t in STRUCTURE_TYPES}


def _regime(fit) -> str:
    """ "crystal" when the best model is a bulk crystal the data pin down (no envelope below 10 nm)."""
    return "crystal" if fit.model == "crystal" and fit.bulk and fit.diameter_min >= 100.0 else "nanoparticle"


_NAMES = {
    "d_nn": "d_nn", "a": "a", "c_over_a": "c/a", "biso": "Biso", "qdamp": "Qdamp", "delta2": "δ2",
    "qbroad": "Qbroad",
}  # fmt: skip


def _warnings(m: MeasuredPDF, table: pd.DataFrame, fits: dict, clf: Classifier, h: float, inst) -> list[str]:
    out = []
    low, high = TABLE["qmax"].low, TABLE["qmax"].high
    if not low <= m.qmax <= high:
        out.append(
            f"Qmax = {m.qmax:g} Å⁻¹ is outside the {low:g}-{high:g} Å⁻¹ the classifier was trained on: its "
            "probabilities are extrapolated and may be confidently wrong. The fits are not affected (they use "
            "the data's own Qmax)."
        )
    if m.qmin > 2.0:
        out.append(
            f"Qmin = {m.qmin:g} Å⁻¹ is high: its ripple (wavelength 2π/Qmin = {2 * math.pi / m.qmin:.1f} Å) is in "
            "the data but not in the crystal model (as in PDFfit2); expect it in the difference curve."
        )
    if h > clf.entropy_threshold:
        out.append(
            f"The classifier is unsure (predictive entropy {h:.2f} nats, above the {clf.entropy_threshold:.2f} that "
            "only 5 % of familiar inputs reach): the input looks unlike the training data."
        )
    best, runner_up = table.index[0], table.index[1]
    fit = fits[best]
    regime = _regime(fit)
    limit = POOR_RW[regime]
    rw_best = float(table["rw"].iloc[0])
    if rw_best > limit:
        what = (
            "a refined crystal usually reaches Rw < 0.1 on synchrotron data"
            if regime == "crystal"
            else "a model nanoparticle usually reaches Rw 0.1-0.25 on measured data (surface, ligands and size "
            "distributions are not modelled)"
        )
        out.append(
            f"Poor fit for a {regime} (Rw = {rw_best:.2f} > {limit}): {what} (Egami & Billinge, Underneath the "
            "Bragg Peaks, 2012, ch. 5; Farrow et al. 2007). None of the seven types describes these data well, "
            "or the data need another look."
        )
    for t in dict.fromkeys([best, runner_up]):
        flagged = fits[t].at_bounds
        if flagged:
            names = ", ".join(_NAMES.get(n, n) for n in flagged)
            out.append(
                f"{t}: {names} ended at a bound of the refinement: the value is a limit, not a measurement, and its "
                "esd means nothing."
            )
    if fit.model == "particle" and fit.size in (1, max(SIZES[best])):
        edge = "smallest" if fit.size == 1 else "largest"
        out.append(
            f"The best {best} particle is the catalogue's {edge} ({fit.diameter:.0f} Å): the sample may be "
            f"{'smaller' if edge == 'smallest' else 'larger'} than any {best} particle the catalogue holds."
        )
    vague = fit.bulk and fit.diameter_min < 100.0 if fit.model == "crystal" else False
    vague = vague or fit.model == "crystal" and not fit.bulk and fit.esd["diameter"] > 0.2 * fit.diameter
    if vague and not inst.calibrated:
        out.append(
            "The particle size is poorly determined while Qdamp is refined with it (both damp G(r) at high r): "
            "calibrate Qdamp on a bulk standard measured on the same instrument (--calibrant FILE or --qdamp)."
        )
    top_class = table["probability"].idxmax()
    if top_class != best:
        out.append(
            f"The classifier and the fit disagree: the classifier proposes {top_class} "
            f"(probability {table.loc[top_class, 'probability']:.2f}), the fit prefers {best} "
            f"(Rw {table.loc[best, 'rw']:.3f} against {table.loc[top_class, 'rw']:.3f}). The fit decides."
        )
    outline = {"FCC", "Octahedral"}

    def margin(t):
        return OUTLINE_UNDECIDED if {t, best} == outline else UNDECIDED

    close = [t for t in table.index[1:] if table.loc[t, "rw"] - rw_best < margin(t)]
    if close:
        pair = {best, runner_up}
        extra = (
            " (an octahedron is a piece of fcc crystal: only the outline differs)"
            if outline <= pair | set(close) and best in outline
            else ""
        )
        within = ", ".join(f"{t} (ΔRw {table.loc[t, 'rw'] - rw_best:.3f} < {margin(t)})" for t in close)
        verb = "fits" if len(close) == 1 else "fit"
        out.append(f"Undecided: {within} {verb} as well as {best}{extra}; the data do not tell them apart.")
    if m.element is not None:
        d_bulk = nearest_neighbour_distance(m.element)
        d_fit = table.loc[best, "d_nn"]
        if abs(d_fit / d_bulk - 1.0) > 0.04:
            out.append(
                f"The fitted nearest-neighbour distance {d_fit:.3f} Å is {100 * (d_fit / d_bulk - 1):+.1f} % from bulk "
                f"{m.element} ({d_bulk:.3f} Å): is the composition in the header right?"
            )
    return out


def identify(
    source,
    *,
    qmax: float | None = None,
    qmin: float | None = None,
    qdamp: float | None = None,
    qbroad: float = 0.0,
    rmax: float = R_RANGE[1],
    workers: int = 1,
) -> Identification:
    """Classify a measured PDF, then verify by fitting every structure type to it.

    Parameters
    ----------
    source : path of a PDF file (any format :func:`helpers.measured.read_pdf` reads), or ``(r, g)``.
    qmax, qmin : Q range (Å⁻¹) of the data's Fourier transform; by default from the header.
    qdamp, qbroad : the instrument's calibrated resolution (Å⁻¹, e.g. from :func:`calibrate`);
        ``qdamp=None`` refines Qdamp with the rest (the size is then less certain).
    rmax : upper end (Å) of the fitted range 1.5-``rmax``; the data must reach it (and 20 Å,
        the classifier's window).
    workers : threads for the fits. 1 by default: the fits are mostly Python-level work that holds the
        GIL, and 2 threads were measured slower than 1 (1.5 s against 1.4 s per file, 2.1 s against
        1.6 s of CPU); for several files use processes (:mod:`helpers.series`).

    Returns
    -------
    An :class:`Identification`: its ``table`` is indexed by structure type (7 rows, sorted by
    ``rw``, best first) with the columns :data:`COLUMNS`: the classifier's ``probability``
    (summing to 1) and, for the best model of that type, ``rw``, ``model`` ("crystal": lattice ×
    spherical envelope, for FCC, BCC, HCP, SC; "particle": the best catalogue cluster, for
    Icosahedral, Decahedral, Octahedral), ``shape``, ``size`` (catalogue size, 0 for a crystal),
    ``n_atoms``, ``diameter`` (Å; inf for bulk) with ``diameter_esd`` and ``diameter_min`` (the
    smallest diameter the data support, for bulk), the lattice constants ``a``, ``c`` (HCP),
    ``d_nn``, ``biso``, ``qdamp``, ``delta2`` with their ``_esd``, ``scale`` and ``at_bounds``.

    Raises
    ------
    ValueError
        naming the input, if it is not a PDF file, its r range is too short, it has no Qmax
        (and none is given), or a stated Qmax contradicts the data.
    """
    m = read_pdf(source, qmax=qmax, qmin=qmin)
    inst = Instrument(m.qmin, m.qmax, qdamp=qdamp, qbroad=qbroad)
    rmax = float(rmax)
    needed = max(rmax, MEASURED_R_MAX)
    if m.r[0] > 1.0 + 0.05 or m.r[-1] < needed - 0.05:
        raise ValueError(
            f"{m.name}: its r range {m.r[0]:g}-{m.r[-1]:g} Å does not cover 1-{needed:g} Å, which the classifier "
            f"(1-{MEASURED_R_MAX:g} Å) and the fit (1.5-{rmax:g} Å) need; re-process the data with a larger rmax"
        )
    clf = classifier()
    p = clf.probabilities(prepare_measured(m.r, m.g, r_max=MEASURED_R_MAX))[0]
    h = float(entropy(p))
    data = prepare_data(
        m.r,
        m.g,
        qmin=m.qmin,
        qmax=m.qmax,
        r_range=(R_RANGE[0], rmax),
        qdamp=inst.qdamp,
        qbroad=inst.qbroad or 0.0,
    )
    fits = _fit_all(data, workers)
    rows = {t: _row(p[k], fits[t]) for k, t in enumerate(STRUCTURE_TYPES)}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS).sort_values("rw", kind="stable")
    table.index.name = "structure_type"
    return Identification(
        table, _warnings(m, table, fits, clf, h, inst), fits, m.name, m.qmin, m.qmax, h, inst, m
    )


# --------------------------------------------------------------------------- reporting


def _pm(value: float, esd: float, digits: int) -> str:
    if not math.isfinite(value):
        return "-" if math.isnan(value) else "bulk"
    if not math.isfinite(esd):
        return f"{value:.{digits}f}"
    if esd >= 10 * max(abs(value), 10 ** (1 - digits)):
        return f"{value:.{digits}f}(?)"  # an esd ten times the value: the data do not determine it
    return f"{value:.{digits}f}({esd:.{digits}f})"


_MODELS_NOTE = (
    "crystal: lattice × sphere of refined diameter; clusters: all 8 catalogue sizes fitted with δ2 = 0, "
    "the 3 best and the best one's neighbours refined with δ2; (?): an esd over ten times the value, not determined by the data"
)


def format_table(result: Identification) -> str:
    """The table of :func:`identify` as text, with units, esd's in brackets, and its warnings."""
    t = result.table
    shown = pd.DataFrame(
        {
            "probability": t["probability"].map("{:.2f}".format),
            "Rw": t["rw"].map("{:.3f}".format),
            "model": [
                (s if s.startswith("crystal") else f"crystal: {s}") if m == "crystal" else f"{s}, size {z}"
                for m, s, z in zip(t["model"], t["shape"], t["size"])
            ],
            "atoms": [("-" if not math.isfinite(n) else f"{n:.0f}") for n in t["n_atoms"]],
            "diameter (Å)": [
                f"bulk (≥ {lo:.0f})" if math.isinf(d) else _pm(d, e, 1)
                for d, e, lo in zip(t["diameter"], t["diameter_esd"], t["diameter_min"])
            ],
            "a (Å)": [_pm(a, e, 4) for a, e in zip(t["a"], t["a_esd"])],
            "c (Å)": [_pm(c, e, 4) for c, e in zip(t["c"], t["c_esd"])],
            "d_nn (Å)": t["d_nn"].map("{:.3f}".format),
            "Biso (Å²)": [_pm(b, e, 2) for b, e in zip(t["biso"], t["biso_esd"])],
            "Qdamp (Å⁻¹)": [_pm(q, e, 4) for q, e in zip(t["qdamp"], t["qdamp_esd"])],
            "δ2 (Å²)": [_pm(d, e, 2) for d, e in zip(t["delta2"], t["delta2_esd"])],
        },
        index=t.index,
    )
    calibrated = "" if result.instrument.qdamp is None else f", Qdamp {result.instrument.qdamp:g} fixed"
    lines = [
        f"{result.source}  (Qmin {result.qmin:g}, Qmax {result.qmax:g} Å⁻¹{calibrated}; esd's in brackets)",
        shown.to_string(),
        _MODELS_NOTE,
    ]
    lines += [f"⚠ {w}" for w in result.warnings] if result.warnings else ["no warnings"]
    return "\n".join(lines)


def plot_fit(result: Identification, axes=None):
    """Gobs, Gcalc and the difference of the two best candidates, side by side; returns the axes."""
    import matplotlib.pyplot as plt

    from helpers.plotting import plot_fit as draw

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    name = Path(str(result.source)).name
    for ax, t in zip(axes, result.table.index[:2]):
        fit = result.fits[t]
        label = f"{t}: {fit.shape}" + (f", size {fit.size}" if fit.model == "particle" else "")
        draw(fit.r, fit.g_obs, fit.g_calc, ax=ax, label=label, title=f"{name}: {t}, Rw = {fit.rw:.3f}")
    return axes


def save_fit(result: Identification, out: Path) -> list[Path]:
    """Write the best fit as ``out`` (``.fgr``; PDFgui opens it) and the table as ``out`` with ``.csv``.

    The fit file has PDFgui's fit-export header (``##### PDFgui fit``, stype, qmax, qdamp, qbroad,
    fitrmin/fitrmax, then the refined values as metadata) and the columns
    ``r(A) G(r) d_r d_Gr Gcalc Gdiff``: r, Gobs (so PDFgui reads the data, as from any .gr), two zero
    error columns, Gcalc and Gdiff = Gobs - Gcalc.  Both files are written atomically.
    """
    from helpers.files import atomic_write_bytes

    out = Path(out)
    best = result.table.index[0]
    fit = result.fits[best]
    row = result.table.loc[best]
    lines = [
        f"# {result.source}: best fit by helpers.identify, {best} ({fit.model}: {fit.shape}), Rw = {fit.rw:.4f}",
        "##### PDFgui fit",
        "stype=X  x-ray scattering",
        f"qmax={result.qmax:.2f}",
        f"qdamp={fit.qdamp:g}",
        f"qbroad={getattr(fit, 'qbroad', 0.0):g}",
        "dscale=1",
        f"fitrmin={fit.r[0]:g}",
        f"fitrmax={fit.r[-1]:g}",
        "# metadata",
        f"scale={fit.scale:g}",
        f"biso={fit.biso:g}",
        f"delta2={fit.delta2:g}",
        f"d_nn={fit.d_nn:g}",
    ]
    if math.isfinite(row["a"]):
        lines.append(f"a={row['a']:g}")
    if math.isfinite(row["c"]):
        lines.append(f"c={row['c']:g}")
    if math.isfinite(row["diameter"]):
        lines.append(f"spdiameter={row['diameter']:g}")
    lines += ["##### start data", "#L r(A) G(r) d_r d_Gr Gcalc Gdiff"]
    lines += [
        f"{r:.6g} {go:.8g} 0.0 0.0 {gc:.8g} {go - gc:.8g}" for r, go, gc in zip(fit.r, fit.g_obs, fit.g_calc)
    ]
    atomic_write_bytes(out, ("\n".join(lines) + "\n").encode("utf-8"))
    csv = out.with_suffix(".csv")
    atomic_write_bytes(csv, result.table.to_csv().encode("utf-8"))
    return [out, csv]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m helpers.identify FILE [FILE ...] [--qmax Q] [--calibrant STD] [--plot out.png]``
    (several files, ``--jobs``, ``--out``: a series, one row per file, :mod:`helpers.series`)."""
    from threadpoolctl import threadpool_limits

    from helpers import series

    parser = argparse.ArgumentParser(
        prog="python -m helpers.identify",
        description="Which structure is my nanoparticle? Classify a measured PDF, then verify by fitting.",
    )
    parser.add_argument(
        "files", nargs="+", type=Path, help="measured PDF files (.gr, .fgr or two columns r, G)"
    )
    parser.add_argument(
        "--qmax", type=float, help="Qmax of the Fourier transform (Å⁻¹), if not in the header"
    )
    parser.add_argument(
        "--qmin", type=float, help="Qmin of the Fourier transform (Å⁻¹), if not in the header"
    )
    parser.add_argument(
        "--rmax", type=float, default=R_RANGE[1], help="upper end of the fit (Å, default %(default)s)"
    )
    parser.add_argument(
        "--qdamp", type=float, help="calibrated Qdamp of the instrument (Å⁻¹); default: refined"
    )
    parser.add_argument(
        "--qbroad", type=float, default=0.0, help="calibrated Qbroad (Å⁻¹, default %(default)s)"
    )
    parser.add_argument(
        "--calibrant", type=Path,
        help="a bulk standard (e.g. Ni) measured on the same instrument: its Qdamp and Qbroad are fitted and fixed",
    )  # fmt: skip
    parser.add_argument(
        "--plot", type=Path, help="save the fit figure here (with several files: one per file)"
    )
    parser.add_argument(
        "--save-fit", type=Path,
        help="write the best fit here (.fgr: r, Gobs, Gcalc, diff; PDFgui opens it) and the table next to it (.csv)",
    )  # fmt: skip
    series.add_arguments(parser)  # several files, --jobs, --out, --resume, --scheduler: helpers/series.py
    args = parser.parse_args(argv)
    threadpool_limits(limits=1, user_api="blas")  # BLAS threads would only fight the fits' threads
    qdamp, qbroad = args.qdamp, args.qbroad
    if args.calibrant is not None:
        try:
            inst, fit = calibrate(args.calibrant, rmax=args.rmax)
        except (ValueError, FileNotFoundError) as exc:
            print(f"error: calibrant: {exc}", file=sys.stderr)
            return 1
        qdamp, qbroad = inst.qdamp, inst.qbroad
        print(
            f"calibrant {args.calibrant}: bulk {fit.structure_type}, Rw = {fit.rw:.3f}: Qdamp = {qdamp:.4f}, "
            f"Qbroad = {qbroad:.4f} Å⁻¹ fixed for the samples\n"
        )
    if series.wanted(args):
        args.qdamp, args.qbroad = qdamp, qbroad
        return series.run(args)
    status = 0
    several = len(args.files) > 1
    for path in args.files:
        try:
            result = identify(
                path, qmax=args.qmax, qmin=args.qmin, rmax=args.rmax, qdamp=qdamp, qbroad=qbroad
            )
        except (ValueError, TypeError, FileNotFoundError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        print(format_table(result), end="\n\n")
        if args.plot:
            _save_plot(result, args.plot.with_stem(f"{args.plot.stem}_{path.stem}") if several else args.plot)
        if args.save_fit:
            out = args.save_fit.with_stem(f"{args.save_fit.stem}_{path.stem}") if several else args.save_fit
            for written in save_fit(result, out):
                print(f"saved: {written}")
    return status


def _save_plot(result: Identification, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.files import atomic_write_bytes

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    plot_fit(result, axes)
    buf = io.BytesIO()
    fig.savefig(buf, format=out.suffix.lstrip(".") or "png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(out, buf.getvalue())
    print(f"figure: {out}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the output piped into a reader that stopped early (`| head`): nothing was lost
        sys.stderr.close()
        sys.exit(0)
