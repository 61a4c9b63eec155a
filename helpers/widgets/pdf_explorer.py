"""The PDF explorer: how structure, size and measurement set the look of G(r).

One picture, drawn by :class:`PdfPicture`: the PDF of one nanoparticle, simulated
live by the dataset's recipe (:func:`helpers.simulation.simulate`: the clean
parameters of :data:`helpers.simulation.PARAMETERS`, except those on the sliders).
:func:`plot_pdf_explorer` draws it once; :func:`pdf_explorer_widget` redraws it
(through :class:`helpers.widgets.fast_figure.FastFigure`) whenever a dropdown or
slider changes the structure type, metal, size, Qmax, Qdamp, Biso or delta2.
"""

from __future__ import annotations

import base64
import numbers

import numpy as np

from helpers.plotting import G_LABEL, R_LABEL, TYPE_COLOURS
from helpers.simulation import TABLE, clean_parameters, simulate
from helpers.structures import ELEMENTS, SIZES, STRUCTURE_TYPES, nearest_neighbour_distance
from helpers.validation import check_scalar

R_EXPLORER: np.ndarray = np.round(np.arange(100, 3001, 2) / 100, 2)
"""r grid of the explorer: 1.00 to 30.00 Å in steps of 0.02 Å (fine enough to show termination ripples)."""
R_EXPLORER.setflags(write=False)

SLIDERS = ("qmax", "qdamp", "biso", "delta2")
"""The parameters on sliders; every other parameter of the recipe keeps its clean value."""

_STEPS = {"qmax": 0.5, "qdamp": 0.005, "biso": 0.05, "delta2": 0.25}
SLIDER_RANGES = {name: (TABLE[name].low, TABLE[name].high, _STEPS[name]) for name in SLIDERS}
"""(min, max, step) of the explorer's sliders: the experiment-like ranges of the parameter table."""

DEFAULTS = {name: TABLE[name].clean for name in SLIDERS}
"""The sliders' starting values: the clean values of the parameter table."""

DESCRIPTIONS = {
    "structure_type": "Structure",
    "element": "Metal",
    "size": "Size",
    "qmax": "Qmax (Å⁻¹)",
    "qdamp": "Qdamp (Å⁻¹)",
    "biso": "Biso (Å²)",
    "delta2": "delta2 (Å²)",
}
"""The ``description`` of every control (what a reader, or a browser test, sees next to it)."""


def _validate(structure_type, element, size, qmax, qdamp, biso, delta2):
    if structure_type not in STRUCTURE_TYPES:
        raise ValueError(
            f"structure_type must be one of {', '.join(STRUCTURE_TYPES)}, got {structure_type!r}"
        )
    if element not in ELEMENTS:
        raise ValueError(f"element must be one of {', '.join(ELEMENTS)}, got {element!r}")
    valid = SIZES[structure_type]
    size = check_scalar(size, "size", numbers.Integral)
    if size not in valid:
        raise ValueError(
            f"size of a {structure_type} particle must be one of {', '.join(map(str, valid))}, got {size!r}"
        )
    qmax = check_scalar(qmax, "qmax", min_val=TABLE["qmin"].clean, include_boundaries="neither", unit="Å⁻¹")
    qdamp = check_scalar(qdamp, "qdamp", min_val=0.0, unit="Å⁻¹")
    biso = check_scalar(biso, "biso", min_val=0.0, unit="Å²")
    delta2 = check_scalar(delta2, "delta2", min_val=0.0, max_val=TABLE["delta2"].limits[1], unit="Å²")
    return size, qmax, qdamp, biso, delta2


MARGINS = {"left": 0.1, "right": 0.98, "bottom": 0.15, "top": 0.9}
"""Fixed figure margins (cheaper to draw than an automatic layout, and the picture does not jump)."""


class PdfPicture:
    """The explorer's picture: G(r) of one particle, a dashed line at the metal's d_nn, a title.

    :meth:`show` simulates and draws one particle; :attr:`artists` are the parts that change
    from one particle to the next (for :class:`helpers.widgets.fast_figure.FastFigure`).
    """

    def __init__(self, ax):
        self.ax = ax
        (self.curve,) = ax.plot(R_EXPLORER, np.zeros_like(R_EXPLORER), lw=1.3)
        self.nn_line = ax.axvline(1.0, color="0.4", ls="--", lw=0.9)
        self.nn_label = ax.annotate(
            "",
            xy=(1.0, 1.0),
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

    @property
    def artists(self) -> list:
        return [self.curve, self.nn_line, self.nn_label, self.ax.title]

    def show(self, structure_type, element, size, qmax, qdamp, biso, delta2) -> None:
        """Simulate G(r) of the particle with these parameters (validated) and draw it."""
        size, qmax, qdamp, biso, delta2 = _validate(structure_type, element, size, qmax, qdamp, biso, delta2)
        params = clean_parameters() | {"qmax": qmax, "qdamp": qdamp, "biso": biso, "delta2": delta2}
        pdf = simulate(structure_type, element, size, params, r=R_EXPLORER)
        self.curve.set_ydata(pdf.g * pdf.g_max)  # Å⁻², not normalised
        self.curve.set_color(TYPE_COLOURS[structure_type])
        d_nn = nearest_neighbour_distance(element)
        self.nn_line.set_xdata([d_nn, d_nn])
        self.nn_label.xy = (d_nn, 1.0)
        self.nn_label.set_text(f"d_nn = {d_nn:.2f} Å")
        self.ax.relim()
        self.ax.autoscale_view(scalex=False)
        self.ax.set_title(
            f"{structure_type} {element} {pdf.shape} ({pdf.n_atoms} atoms, {pdf.diameter / 10:.1f} nm): "
            f"Qmax {qmax:g} Å⁻¹, Qdamp {qdamp:g} Å⁻¹, Biso {biso:g} Å², δ2 {delta2:g} Å²",
            fontsize=10,
        )


def plot_pdf_explorer(
    structure_type: str = "FCC",
    element: str = "Pt",
    size: int = 3,
    qmax: float = DEFAULTS["qmax"],
    qdamp: float = DEFAULTS["qdamp"],
    biso: float = DEFAULTS["biso"],
    delta2: float = DEFAULTS["delta2"],
    ax=None,
):
    """Simulate and draw G(r) of one nanoparticle; returns the matplotlib Figure.

    Parameters
    ----------
    structure_type : one of :data:`helpers.structures.STRUCTURE_TYPES`.
    element : one of :data:`helpers.structures.ELEMENTS`.
    size : one of ``helpers.structures.SIZES[structure_type]``.
    qmax : largest scattering vector used in the Fourier transform (Å⁻¹, above the clean Qmin).
    qdamp : instrument resolution damping (Å⁻¹, >= 0).
    biso : isotropic atomic displacement (thermal) parameter (Å², >= 0).
    delta2 : correlated motion (Å², PDFfit2's delta2: sharpens the nearest-neighbour peaks).
    ax : axes to draw on (default: a new figure).

    The curve is G(r) in Å⁻² on r = 1 ... 30 Å (not normalised); a dashed line
    marks the metal's bulk nearest-neighbour distance, where the first peak sits.
    """
    import matplotlib.pyplot as plt

    _validate(structure_type, element, size, qmax, qdamp, biso, delta2)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 3.6))
        fig.subplots_adjust(**MARGINS)
    PdfPicture(ax).show(structure_type, element, size, qmax, qdamp, biso, delta2)
    return ax.figure


def pdf_explorer_widget(
    structure_type: str = "FCC",
    element: str = "Pt",
    size: int = 3,
    qmax: float = DEFAULTS["qmax"],
    qdamp: float = DEFAULTS["qdamp"],
    biso: float = DEFAULTS["biso"],
    delta2: float = DEFAULTS["delta2"],
):
    """The PDF explorer as ipywidgets: controls above a live G(r) figure.

    Returns a ``VBox`` (CSS class ``pdf-explorer``) whose figure is redrawn
    whenever a control changes (sliders only on release): each redraw
    simulates the PDF, draws it with :class:`PdfPicture` (the picture of
    :func:`plot_pdf_explorer`) and puts the PNG into an ``ipywidgets.Output``
    in one step. For tests and scripts the
    box also carries ``controls`` (name -> widget), ``output`` (the Output
    holding the figure) and ``redraw()``.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from helpers.widgets.fast_figure import FastFigure

    size, qmax, qdamp, biso, delta2 = _validate(structure_type, element, size, qmax, qdamp, biso, delta2)
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
    start = {"qmax": qmax, "qdamp": qdamp, "biso": biso, "delta2": delta2}
    for name in SLIDERS:
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
    fig = Figure(figsize=(8, 3.6), dpi=80)
    fig.subplots_adjust(**MARGINS)
    picture = PdfPicture(fig.subplots())
    canvas = FastFigure(fig, picture.artists)

    def redraw(*_):
        """Simulate the PDF for the current control values and show it in the output area."""
        if state["busy"]:
            return
        picture.show(**{name: w.value for name, w in controls.items()})
        png = canvas.png(key=picture.ax.get_ylim())  # one background (ticks, labels) per y range
        # Replace the output in one step (no flicker), as a PNG image the browser shows in an <img>.
        output.outputs = (
            {
                "output_type": "display_data",
                "data": {
                    "image/png": base64.b64encode(png).decode("ascii"),
                    "text/plain": picture.ax.get_title(),
                },
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
    for name in ("element", "size", *SLIDERS):
        controls[name].observe(redraw, names="value")

    left = widgets.VBox([controls["structure_type"], controls["element"], controls["size"]])
    right = widgets.VBox([controls[name] for name in SLIDERS])
    box = widgets.VBox([widgets.HBox([left, right]), output])
    box.add_class("pdf-explorer")
    box.controls = controls
    box.output = output
    box.redraw = redraw
    redraw()
    return box
