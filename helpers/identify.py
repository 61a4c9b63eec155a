"""Which structure is my nanoparticle?  A learned model proposes, a fit to the data decides.

:func:`identify` gives the whole answer for one measured PDF file, in the two
steps research tools for this question take (DeepStruc, MetalFinder, cluster
mining):

1. **propose**: a classifier trained on the course's simulated dataset gives a
   probability for each of the seven structure types;
2. **verify**: every type's particles of the catalogue (eight sizes each) are
   fitted to the data (:func:`helpers.fit.fit_candidate`: scale, d_nn, Biso,
   Qdamp, delta2), and the best fit of each type is reported with its Rw.

The answer is a table with one row per type, sorted by Rw, and plain-language
warnings where the input lies outside what the models know or where the data
do not decide (``table.attrs["warnings"]``).  Two candidates whose Rw differ
by less than :data:`UNDECIDED` are not told apart by the data: an octahedron
is a piece of fcc crystal, so FCC and Octahedral often end there.

Command line::

    python -m helpers.identify data/measured/JQ_S1.gr [--qmax Q] [--plot fit.png]
    python -m helpers.identify frames/*.gr --jobs 2 --out results.csv   # a series: one row per file

The classifier (:mod:`helpers.classifier`) is stored as plain arrays next to the
dataset (``data/classifier.npz``, written by ``make data``) and loaded in
milliseconds; if the dataset changed it is trained again (a few seconds,
deterministic) and kept in the user's cache folder.  Several files, ``--jobs``,
``--out`` and ``--scheduler`` run a series (:mod:`helpers.series`): one row per file.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from helpers.classifier import Classifier, classifier, entropy
from helpers.data import MEASURED_R_MAX
from helpers.fit import R_RANGE, FitData, FitResult, fit_type, prepare_data
from helpers.measured import header_float, load_gr, prepare_measured, read_header
from helpers.simulation import TABLE
from helpers.structures import ELEMENTS, STRUCTURE_TYPES, nearest_neighbour_distance
from helpers.validation import check_scalar

UNDECIDED = 0.02
"""Rw difference below which the data do not tell two candidates apart."""

POOR_RW = 0.35
"""Best Rw above which no candidate of the catalogue describes the data well."""

COLUMNS = [
    "probability",
    "rw",
    "size",
    "shape",
    "n_atoms",
    "diameter",
    "d_nn",
    "biso",
    "qdamp",
    "delta2",
    "scale",
]
"""The columns of the table :func:`identify` returns (units: Å, Å², Å⁻¹)."""

# --------------------------------------------------------------------------- reading the input


class Measurement(NamedTuple):
    """A measured PDF with what :func:`identify` needs to know about it."""

    name: str
    r: np.ndarray
    g: np.ndarray
    qmin: float
    qmax: float
    element: str | None


def estimate_qmax(r, g) -> float:
    """The highest Q (Å⁻¹) at which the data's F(Q) = ∫ G(r) sin(Qr) dr still holds signal.

    Above the Qmax of its Fourier transform a PDF has no signal at all; a little below
    it, thermal motion has already damped it, so the estimate lies 0-25 % under the true Qmax.
    """
    r, g = np.asarray(r, dtype=float), np.asarray(g, dtype=float)
    keep = r <= min(float(r[-1]), 30.0)
    r, g = r[keep], g[keep]
    dr = np.diff(r)
    weights = np.concatenate([dr, [0.0]]) * 0.5 + np.concatenate([[0.0], dr]) * 0.5  # trapezoid
    q = np.arange(0.5, 60.0, 0.05)
    spectrum = np.abs(np.sin(np.outer(q, r)) @ (g * weights))
    smooth = np.convolve(spectrum, np.ones(9) / 9, mode="same")
    strong = q[smooth > 0.05 * smooth[q > 1.5].max()]
    return float(strong.max())


_ELEMENT = re.compile(r"[A-Z][a-z]?")


def _element_of(composition: str | None) -> str | None:
    """The first chemical symbol of a composition such as ``"Au144 S60 C180"``, if it is a course metal."""
    if not composition:
        return None
    match = _ELEMENT.search(composition)
    return match.group(0) if match and match.group(0) in ELEMENTS else None


def read_measurement(source, *, qmax: float | None = None, qmin: float | None = None) -> Measurement:
    """The data of ``source`` (a file, or an ``(r, g)`` pair) with its Q range and element.

    Qmin, Qmax and the composition come from the file's header (PDFgetX3/xPDFsuite/PDFgui
    ``key = value`` lines); ``qmax``/``qmin`` override them.  Raises ValueError naming the
    input when it has no Qmax, or when the stated Qmax contradicts the data.
    """
    if isinstance(source, (str, Path)):
        name = str(source)
        r, g = load_gr(source)
        header = read_header(source)
    else:
        name = "the (r, g) data"
        try:
            r, g = (np.asarray(a, dtype=float) for a in source)
        except (TypeError, ValueError):
            raise ValueError("identify takes a file path or a pair (r, g) of arrays") from None
        if r.ndim != 1 or r.shape != g.shape or r.size < 10:
            raise ValueError(
                f"{name}: r and g must be 1-D arrays of the same length (>= 10), got {r.shape}, {g.shape}"
            )
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(g)) and np.all(np.diff(r) > 0)):
            raise ValueError(f"{name}: r must be strictly increasing and r, g finite")
        header = {}
    q_max = qmax if qmax is not None else header_float(header, "qmax")
    if q_max is None:
        raise ValueError(
            f"{name}: no Qmax in its header; pass qmax= (the Qmax of its Fourier transform, Å⁻¹; "
            f"its F(Q) has signal up to about {estimate_qmax(r, g):.1f} Å⁻¹)"
        )
    q_max = check_scalar(q_max, f"{name}: qmax", min_val=0.0, include_boundaries="neither", unit="Å⁻¹")
    q_min = qmin if qmin is not None else header_float(header, "qmin")
    if q_min is None:
        q_min = TABLE["qmin"].clean
    q_min = check_scalar(q_min, f"{name}: qmin", unit="Å⁻¹")
    if not (0.0 <= q_min < q_max):
        raise ValueError(f"{name}: qmin = {q_min} Å⁻¹ must be >= 0 and below qmax = {q_max} Å⁻¹")
    seen = estimate_qmax(r, g)
    if seen > 1.15 * q_max + 1.0 or seen < 0.5 * q_max:
        where = "the header's" if qmax is None else "the given"
        raise ValueError(
            f"{name}: {where} Qmax = {q_max:g} Å⁻¹ contradicts the data, whose F(Q) has signal up to about "
            f"{seen:.1f} Å⁻¹; pass the right qmax="
        )
    return Measurement(name, r, g, float(q_min), float(q_max), _element_of(header.get("composition")))


# --------------------------------------------------------------------------- the whole answer


def _fit_all(data: FitData, workers: int) -> dict[str, FitResult]:
    """Best fit of every type (:func:`helpers.fit.fit_type`), the sizes fitted by ``workers`` threads."""
    with ThreadPoolExecutor(workers) as pool:
        return {t: fit_type(data, t, mapper=pool.map) for t in STRUCTURE_TYPES}


def _warnings(m: Measurement, table: pd.DataFrame, clf: Classifier, h: float) -> list[str]:
    out = []
    low, high = TABLE["qmax"].low, TABLE["qmax"].high
    if not low <= m.qmax <= high:
        out.append(
            f"Qmax = {m.qmax:g} Å⁻¹ is outside the {low:g}-{high:g} Å⁻¹ the models were trained and tested on: "
            "peaks are broader and ripples longer than anything they know, so trust neither the probabilities "
            "nor the ranking of the fits."
        )
    if not TABLE["qmin"].low <= m.qmin <= TABLE["qmin"].high + 1.0:
        out.append(f"Qmin = {m.qmin:g} Å⁻¹ is far from the 0.6-1.4 Å⁻¹ of the training data.")
    if h > clf.entropy_threshold:
        out.append(
            f"The classifier is unsure (predictive entropy {h:.2f} nats, above the {clf.entropy_threshold:.2f} that "
            "only 5 % of familiar inputs reach): the input looks unlike the training data."
        )
    best, runner_up = table.index[0], table.index[1]
    if table["rw"].iloc[0] > POOR_RW:
        out.append(
            f"Even the best fit is poor (Rw = {table['rw'].iloc[0]:.2f} > {POOR_RW}): no particle of the catalogue "
            "describes these data; the structure may be none of the seven types, or the data may need another look."
        )
    top_class = table["probability"].idxmax()
    if top_class != best:
        out.append(
            f"The classifier and the fit disagree: the classifier proposes {top_class} "
            f"(probability {table.loc[top_class, 'probability']:.2f}), the fit prefers {best} "
            f"(Rw {table.loc[best, 'rw']:.3f} against {table.loc[top_class, 'rw']:.3f}). The fit decides."
        )
    close = [t for t in table.index[1:] if table.loc[t, "rw"] - table["rw"].iloc[0] < UNDECIDED]
    if close:
        pair = {best, runner_up}
        extra = (
            " (an octahedron is a piece of fcc crystal: only the outline differs)"
            if pair == {"FCC", "Octahedral"}
            else ""
        )
        out.append(
            f"Undecided: {', '.join(close)} fit{'s' if len(close) == 1 else ''} within ΔRw < {UNDECIDED} of {best}{extra}; "
            "the data do not tell them apart."
        )
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
    rmax: float = R_RANGE[1],
    workers: int = 2,
) -> pd.DataFrame:
    """Classify a measured PDF, then verify by fitting every structure type to it.

    Parameters
    ----------
    source : path of a PDF file (any format :func:`helpers.measured.load_gr` reads), or ``(r, g)``.
    qmax, qmin : Q range (Å⁻¹) of the data's Fourier transform; by default from the header.
    rmax : upper end (Å) of the fitted range 1.5-``rmax``; the data must reach it (and 20 Å,
        the classifier's window).
    workers : threads for the fits (2 on a 2-core laptop).

    Returns
    -------
    A DataFrame indexed by structure type (7 rows, sorted by ``rw``, best first) with the
    columns :data:`COLUMNS`: the classifier's ``probability`` (summing to 1) and, for the best
    fitting particle of that type, ``rw``, ``size`` (1-8), ``shape``, ``n_atoms``, ``diameter``
    (Å), ``d_nn`` (Å), ``biso`` (Å²), ``qdamp`` (Å⁻¹), ``delta2`` (Å²) and ``scale``.
    ``table.attrs["warnings"]`` lists plain-language warnings; ``table.attrs["best_fit"]``
    holds ``r``, ``g_obs`` and ``g_calc`` of the best fit (for plotting), and
    ``table.attrs["source"]``, ``["qmin"]``, ``["qmax"]`` what was used.

    Raises
    ------
    ValueError
        naming the input, if it is not a PDF file, its r range is too short, it has no Qmax
        (and none is given), or a stated Qmax contradicts the data.
    """
    m = read_measurement(source, qmax=qmax, qmin=qmin)
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
    data = prepare_data(m.r, m.g, qmin=m.qmin, qmax=m.qmax, r_range=(R_RANGE[0], rmax))
    fits = _fit_all(data, workers)
    rows = {
        t: [p[k], f.rw, f.size, f.shape, f.n_atoms, f.diameter, f.d_nn, f.biso, f.qdamp, f.delta2, f.scale]
        for k, (t, f) in enumerate((t, fits[t]) for t in STRUCTURE_TYPES)
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS).sort_values("rw", kind="stable")
    table.index.name = "structure_type"
    best = fits[table.index[0]]
    table.attrs.update(
        source=m.name,
        qmin=m.qmin,
        qmax=m.qmax,
        entropy=h,
        warnings=_warnings(m, table, clf, h),
        best_fit={
            "structure_type": best.structure_type,
            "size": best.size,
            "r": best.r,
            "g_obs": best.g_obs,
            "g_calc": best.g_calc,
        },
    )
    return table


# --------------------------------------------------------------------------- reporting


def format_table(table: pd.DataFrame) -> str:
    """The table of :func:`identify` as text, with units, and its warnings."""
    shown = table.copy()
    shown.columns = [
        "probability", "Rw", "size", "shape", "atoms", "diameter (Å)", "d_nn (Å)", "Biso (Å²)", "Qdamp (Å⁻¹)",
        "delta2 (Å²)", "scale",
    ]  # fmt: skip
    text = shown.to_string(
        formatters={
            "probability": "{:.2f}".format, "Rw": "{:.3f}".format, "diameter (Å)": "{:.1f}".format,
            "d_nn (Å)": "{:.3f}".format, "Biso (Å²)": "{:.2f}".format, "Qdamp (Å⁻¹)": "{:.3f}".format,
            "delta2 (Å²)": "{:.2f}".format, "scale": "{:.3g}".format,
        }
    )  # fmt: skip
    lines = [
        f"{table.attrs.get('source', '')}  (Qmin {table.attrs.get('qmin', 0):g}, Qmax {table.attrs.get('qmax', 0):g} Å⁻¹)",
        text,
    ]
    warnings = table.attrs.get("warnings", [])
    lines += [f"⚠ {w}" for w in warnings] if warnings else ["no warnings"]
    return "\n".join(lines)


def plot_fit(table: pd.DataFrame, ax=None):
    """The standard PDF-fit figure (:func:`helpers.plotting.plot_fit`) of the best fit in ``table``."""
    from helpers.plotting import plot_fit as draw

    fit = table.attrs["best_fit"]
    name = Path(str(table.attrs.get("source", ""))).name
    return draw(
        fit["r"], fit["g_obs"], fit["g_calc"], ax=ax, label=f"fit: {fit['structure_type']}, size {fit['size']}",
        title=f"{name}: Rw = {table['rw'].iloc[0]:.3f}",
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m helpers.identify FILE [FILE ...] [--qmax Q] [--rmax R] [--plot out.png]``
    (several files, ``--jobs``, ``--out``: a series, one row per file, :mod:`helpers.series`)."""
    from threadpoolctl import threadpool_limits

    from helpers import series

    parser = argparse.ArgumentParser(
        prog="python -m helpers.identify",
        description="Which structure is my nanoparticle? Classify a measured PDF, then verify by fitting.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="measured PDF files (.gr or two columns r, G)")
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
        "--plot", type=Path, help="save the fit figure here (with several files: one per file)"
    )
    series.add_arguments(parser)  # several files, --jobs, --out, --resume, --scheduler: helpers/series.py
    args = parser.parse_args(argv)
    if series.wanted(args):
        return series.run(args)
    threadpool_limits(limits=1, user_api="blas")  # BLAS threads would only fight the fits' threads
    status = 0
    for path in args.files:
        try:
            table = identify(path, qmax=args.qmax, qmin=args.qmin, rmax=args.rmax)
        except (ValueError, FileNotFoundError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        print(format_table(table), end="\n\n")
        if args.plot:
            _save_plot(
                table,
                args.plot if len(args.files) == 1 else args.plot.with_stem(f"{args.plot.stem}_{path.stem}"),
            )
    return status


def _save_plot(table: pd.DataFrame, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.files import atomic_write_bytes

    fig, ax = plt.subplots(figsize=(8, 5))
    plot_fit(table, ax)
    buf = io.BytesIO()
    fig.savefig(buf, format=out.suffix.lstrip(".") or "png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(out, buf.getvalue())
    print(f"figure: {out}")


if __name__ == "__main__":
    sys.exit(main())
