"""One plotting style for the whole course, and the few plots every session needs.

Call :func:`use_course_style` once in a notebook's set-up cell.  Every function
takes an optional ``ax`` and returns the axes it drew on, so plots combine.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from helpers.structures import STRUCTURE_TYPES

R_LABEL = "r (Å)"
G_LABEL = "G(r) (Å⁻²)"
G_NORM_LABEL = "G(r) / max|G| (dimensionless)"

TYPE_COLOURS: dict[str, str] = dict(
    zip(STRUCTURE_TYPES, ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#555555"])
)
"""A colour per structure type (Paul Tol's colour-blind-safe 'bright' scheme)."""

FIT_COLOURS: dict[str, str] = {"data": "#4477AA", "fit": "#EE6677", "difference": "#228833"}
"""Colours of the parts of a PDF-fit figure (the same scheme)."""

_STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "image.cmap": "viridis",
}


def use_course_style() -> None:
    """Set the course's matplotlib style (idempotent; changes only the keys above)."""
    mpl.rcParams.update(_STYLE)


def _axes(ax):
    return plt.gca() if ax is None else ax


def plot_pdf(r, g, *, ax=None, label: str | None = None, normalised: bool = False, **kwargs):
    """Plot one PDF G(r) against r with labelled axes; returns the axes."""
    r, g = np.asarray(r, dtype=float), np.asarray(g, dtype=float)
    if r.ndim != 1 or r.shape != g.shape:
        raise ValueError(f"r and g must be 1-D arrays of the same length, got shapes {r.shape} and {g.shape}")
    ax = _axes(ax)
    ax.plot(r, g, label=label, **kwargs)
    ax.set_xlabel(R_LABEL)
    ax.set_ylabel(G_NORM_LABEL if normalised else G_LABEL)
    if label is not None:
        ax.legend()
    return ax


def plot_pdfs_by_type(
    r, G, types: Sequence[str], *, ax=None, offset: float = 0.0, normalised: bool = True, alpha: float = 0.8
):
    """Plot several PDFs (rows of ``G``), coloured by structure type, one legend entry per type.

    ``offset`` shifts each structure type up by that much (a waterfall plot), so types don't overlap.
    """
    r, G = np.asarray(r, dtype=float), np.atleast_2d(np.asarray(G, dtype=float))
    types = list(types)
    if G.shape != (len(types), len(r)):
        raise ValueError(f"G must have shape (len(types), len(r)) = ({len(types)}, {len(r)}), got {G.shape}")
    ax = _axes(ax)
    order = [t for t in STRUCTURE_TYPES if t in types] + sorted({t for t in types} - set(STRUCTURE_TYPES))
    for k, t in enumerate(order):
        rows = [i for i, ti in enumerate(types) if ti == t]
        for j, i in enumerate(rows):
            ax.plot(
                r,
                G[i] + k * offset,
                color=TYPE_COLOURS.get(t, "black"),
                alpha=alpha,
                lw=1.2,
                label=t if j == 0 else None,
            )
    ax.set_xlabel(R_LABEL)
    ax.set_ylabel(G_NORM_LABEL if normalised else G_LABEL)
    ax.legend(loc="upper right", fontsize=9, ncol=1 if len(order) < 5 else 2)
    return ax


def plot_confusion_matrix(y_true, y_pred, *, labels: Sequence[str] | None = None, ax=None, title=None):
    """Confusion matrix (rows: true type, columns: predicted), counts in the cells; returns the axes."""
    from sklearn.metrics import ConfusionMatrixDisplay

    if labels is None:
        present = set(np.asarray(y_true)) | set(np.asarray(y_pred))
        labels = [t for t in STRUCTURE_TYPES if t in present] + sorted(present - set(STRUCTURE_TYPES))
    ax = _axes(ax)
    ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=list(labels), ax=ax, colorbar=False, xticks_rotation=45, cmap="Blues"
    )
    ax.grid(False)
    ax.set_xlabel("predicted structure type")
    ax.set_ylabel("true structure type")
    if title:
        ax.set_title(title)
    return ax


def plot_fit(r, g_obs, g_calc, *, ax=None, label: str = "fit", title: str | None = None, legend: bool = True):
    """The standard figure of a PDF fit: data (circles), fit (line), their difference offset below.

    ``r`` in Å, G in Å⁻²; returns the axes.  The difference curve sits below the data, on a grey zero line.
    ``legend=False`` leaves the legend out (for a figure with one legend for several panels).
    """
    r, g_obs, g_calc = (np.asarray(a, dtype=float) for a in (r, g_obs, g_calc))
    if not (r.ndim == 1 and r.shape == g_obs.shape == g_calc.shape):
        raise ValueError(
            f"r, g_obs and g_calc must be 1-D of one length, got {r.shape}, {g_obs.shape}, {g_calc.shape}"
        )
    ax = _axes(ax)
    difference = g_obs - g_calc
    offset = g_obs.min() - difference.max() - 0.05 * np.ptp(g_obs)
    ax.plot(r, g_obs, "o", ms=2.5, mfc="none", mew=0.8, color=FIT_COLOURS["data"], label="data")
    ax.plot(r, g_calc, "-", lw=1.3, color=FIT_COLOURS["fit"], label=label)
    ax.plot(r, difference + offset, "-", lw=1.0, color=FIT_COLOURS["difference"], label="difference (offset)")
    ax.axhline(offset, color="0.6", lw=0.6)
    ax.set_xlabel(R_LABEL)
    ax.set_ylabel(G_LABEL)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper right", fontsize=8)
    return ax
