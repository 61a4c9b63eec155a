"""The PDF explorer: how structure, size and measurement set the look of G(r).

:func:`plot_pdf_explorer` simulates the PDF of one nanoparticle live, by the
dataset's recipe (:func:`helpers.simulation.simulate`, clean parameters except
those on the sliders), and draws it; :func:`pdf_explorer_widget`
wraps the same figure in dropdowns and sliders so a student can change the
structure type, metal, size, Qmax, Qdamp and Biso and watch G(r) respond.
"""

from __future__ import annotations

import base64
import io
import math

import matplotlib.pyplot as plt
import numpy as np

from helpers.plotting import G_LABEL, R_LABEL, TYPE_COLOURS
from helpers.simulation import TABLE, clean_parameters, simulate
from helpers.structures import ELEMENTS, SIZES, STRUCTURE_TYPES, nearest_neighbour_distance

R_EXPLORER: np.ndarray = np.round(np.arange(100, 3001, 2) / 100, 2)
"""r grid of the explorer: 1.00 to 30.00 Å in steps of 0.02 Å (fine enough to show termination ripples)."""
R_EXPLORER.setflags(write=False)

QMIN = TABLE["qmin"].clean
"""Qmin (Å⁻¹) of every explorer PDF: the dataset's clean value."""

SLIDER_RANGES = {
    name: (TABLE[name].low, TABLE[name].high, step)
    for name, step in (("qmax", 0.5), ("qdamp", 0.005), ("biso", 0.05))
}
"""(min, max, step) of the explorer's sliders: the experiment-like ranges of :data:`helpers.simulation.PARAMETERS`."""

DESCRIPTIONS = {
    "structure_type": "Structure",
    "element": "Metal",
    "size": "Size",
    "qmax": "Qmax (Å⁻¹)",
    "qdamp": "Qdamp (Å⁻¹)",
    "biso": "Biso (Å²)",
}
"""The ``description`` of every control (what a reader, or a browser test, sees next to it)."""


def _check_number(name: str, value, *, low: float, strict: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or (value <= low if strict else value < low):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be a finite number {relation} {low:g}, got {value!r}")
    return value


def _validate(structure_type, element, size, qmax, qdamp, biso):
    if structure_type not in STRUCTURE_TYPES:
        raise ValueError(
            f"structure_type must be one of {', '.join(STRUCTURE_TYPES)}, got {structure_type!r}"
        )
    if element not in ELEMENTS:
        raise ValueError(f"element must be one of {', '.join(ELEMENTS)}, got {element!r}")
    valid = SIZES[structure_type]
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or int(size) not in valid:
        raise ValueError(
            f"size of a {structure_type} particle must be one of {', '.join(map(str, valid))}, got {size!r}"
        )
    qmax = _check_number("qmax", qmax, low=QMIN)
    qdamp = _check_number("qdamp", qdamp, low=0.0, strict=False)
    biso = _check_number("biso", biso, low=0.0, strict=False)
    return int(size), qmax, qdamp, biso


def _new_axes():
    """A figure for the explorer, with fixed margins (cheaper to draw than an automatic layout)."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9)
    return fig, ax


def plot_pdf_explorer(
    structure_type: str = "FCC",
    element: str = "Pt",
    size: int = 3,
    qmax: float = TABLE["qmax"].clean,
    qdamp: float = TABLE["qdamp"].clean,
    biso: float = TABLE["biso"].clean,
    ax=None,
):
    """Simulate and draw G(r) of one nanoparticle; returns the matplotlib Figure.

    Parameters
    ----------
    structure_type : one of :data:`helpers.structures.STRUCTURE_TYPES`.
    element : one of :data:`helpers.structures.ELEMENTS`.
    size : one of ``helpers.structures.SIZES[structure_type]``.
    qmax : largest scattering vector used in the Fourier transform (Å⁻¹, > 0.7).
    qdamp : instrument resolution damping (Å⁻¹, >= 0).
    biso : isotropic atomic displacement (thermal) parameter (Å², >= 0).
    ax : axes to draw on (default: a new figure).

    The curve is G(r) in Å⁻² on r = 1 ... 30 Å (not normalised); a dashed line
    marks the metal's bulk nearest-neighbour distance, where the first peak sits.
    """
    size, qmax, qdamp, biso = _validate(structure_type, element, size, qmax, qdamp, biso)
    params = clean_parameters() | {"qmax": qmax, "qdamp": qdamp, "biso": biso}
    pdf = simulate(structure_type, element, size, params, r=R_EXPLORER)
    g = pdf.g * pdf.g_max  # Å⁻², not normalised
    if ax is None:
        _, ax = _new_axes()
    ax.plot(R_EXPLORER, g, color=TYPE_COLOURS[structure_type], lw=1.3)
    d_nn = nearest_neighbour_distance(element)
    ax.axvline(d_nn, color="0.4", ls="--", lw=0.9)
    ax.annotate(
        f"d_nn = {d_nn:.2f} Å",
        xy=(d_nn, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        va="top",
        fontsize=9,
        color="0.3",
    )
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xlim(R_EXPLORER[0], R_EXPLORER[-1])
    ax.set_xlabel(R_LABEL)
    ax.set_ylabel(G_LABEL)
    ax.set_title(
        f"{structure_type} {element} particle (size {size}, {pdf.n_atoms} atoms): "
        f"Qmax {qmax:g} Å⁻¹, Qdamp {qdamp:g} Å⁻¹, Biso {biso:g} Å²",
        fontsize=10,
    )
    return ax.figure


def pdf_explorer_widget(
    structure_type: str = "FCC",
    element: str = "Pt",
    size: int = 3,
    qmax: float = TABLE["qmax"].clean,
    qdamp: float = TABLE["qdamp"].clean,
    biso: float = TABLE["biso"].clean,
):
    """The PDF explorer as ipywidgets: controls above a live G(r) figure.

    Returns a ``VBox`` (CSS class ``pdf-explorer``) whose figure is redrawn
    whenever a control changes (sliders only on release): each redraw
    simulates the PDF, draws it with :func:`plot_pdf_explorer` and puts the
    PNG into an ``ipywidgets.Output`` in one step. For tests and scripts the
    box also carries ``controls`` (name -> widget), ``output`` (the Output
    holding the figure) and ``redraw()``.
    """
    import ipywidgets as widgets

    size, qmax, qdamp, biso = _validate(structure_type, element, size, qmax, qdamp, biso)
    style = {"description_width": "90px"}
    layout = widgets.Layout(width="320px")
    controls = {
        "structure_type": widgets.Dropdown(
            options=list(STRUCTURE_TYPES), value=structure_type, description=DESCRIPTIONS["structure_type"]
        ),
        "element": widgets.Dropdown(
            options=list(ELEMENTS), value=element, description=DESCRIPTIONS["element"]
        ),
        "size": widgets.Dropdown(
            options=list(SIZES[structure_type]), value=size, description=DESCRIPTIONS["size"]
        ),
    }
    start = {"qmax": qmax, "qdamp": qdamp, "biso": biso}
    for name in ("qmax", "qdamp", "biso"):
        lo, hi, step = SLIDER_RANGES[name]
        controls[name] = widgets.FloatSlider(
            value=min(max(start[name], lo), hi),
            min=lo,
            max=hi,
            step=step,
            description=DESCRIPTIONS[name],
            continuous_update=False,
            readout_format=".3f" if name == "qdamp" else ".2f",
        )
    for w in controls.values():
        w.style = style
        w.layout = layout
    output = widgets.Output()
    state = {"busy": False}

    def redraw(*_):
        """Simulate the PDF for the current control values and show it in the output area."""
        if state["busy"]:
            return
        values = {name: w.value for name, w in controls.items()}
        fig, ax = _new_axes()
        try:
            plot_pdf_explorer(**values, ax=ax)
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=fig.dpi)  # fixed size: the picture does not jump
            title = ax.get_title()
        finally:
            plt.close(fig)
        # Replace the output in one step (no flicker), as a PNG image the browser shows in an <img>.
        output.outputs = (
            {
                "output_type": "display_data",
                "data": {"image/png": base64.b64encode(png.getvalue()).decode("ascii"), "text/plain": title},
                "metadata": {},
            },
        )

    def on_type(change):
        """Offer the sizes of the new structure type, keeping the size as close as possible."""
        sizes = list(SIZES[change["new"]])
        old = controls["size"].value
        state["busy"] = True
        try:
            controls["size"].options = sizes
            controls["size"].value = min(sizes, key=lambda s: (abs(s - old), s))
        finally:
            state["busy"] = False
        redraw()

    controls["structure_type"].observe(on_type, names="value")
    for name in ("element", "size", "qmax", "qdamp", "biso"):
        controls[name].observe(redraw, names="value")

    left = widgets.VBox([controls["structure_type"], controls["element"], controls["size"]])
    right = widgets.VBox([controls["qmax"], controls["qdamp"], controls["biso"]])
    box = widgets.VBox([widgets.HBox([left, right]), output])
    box.add_class("pdf-explorer")
    box.controls = controls
    box.output = output
    box.redraw = redraw
    redraw()
    return box
