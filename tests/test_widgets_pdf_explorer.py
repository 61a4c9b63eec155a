"""The PDF explorer: a labelled static figure, and a widget whose controls redraw it."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.structures import SIZES, STRUCTURE_TYPES
from helpers.widgets.pdf_explorer import (
    R_EXPLORER,
    pdf_explorer_widget,
    plot_pdf_explorer,
)

ipywidgets = pytest.importorskip("ipywidgets")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def curve(ax) -> np.ndarray:
    """The G(r) values of the explorer's curve (the first line: the others are guides)."""
    return np.asarray(ax.lines[0].get_ydata(), dtype=float)


def test_static_figure_has_units_title_and_a_pdf():
    fig = plot_pdf_explorer("FCC", "Pt", 2)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "r (Å)"
    assert ax.get_ylabel() == "G(r) (Å⁻²)"
    title = ax.get_title()
    assert "FCC" in title and "Pt" in title and "truncated octahedron (201 atoms" in title, title
    x = np.asarray(ax.lines[0].get_xdata())
    assert x[0] == pytest.approx(1.0) and x[-1] == pytest.approx(30.0)
    g = curve(ax)
    assert g.shape == R_EXPLORER.shape and np.all(np.isfinite(g))
    # first maximum at Pt's nearest-neighbour distance, 2.77 Å
    assert R_EXPLORER[np.argmax(g)] == pytest.approx(2.77, abs=0.1)


def test_static_figure_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_pdf_explorer("BCC", "Fe", 5, ax=ax) is fig
    assert len(ax.lines) >= 1


def test_parameters_change_the_curve_as_physics_says():
    def peak_height(**kw):
        return curve(plot_pdf_explorer("FCC", "Au", 4, **kw).axes[0]).max()

    # more thermal motion -> broader, lower peaks
    assert peak_height(biso=1.0) < peak_height(biso=0.1)
    # a bigger particle keeps its PDF amplitude to larger r
    small = curve(plot_pdf_explorer("FCC", "Au", 1).axes[0])
    big = curve(plot_pdf_explorer("FCC", "Au", 6).axes[0])
    far = R_EXPLORER > 15
    assert np.abs(big[far]).max() > 3 * np.abs(small[far]).max()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"structure_type": "fcc"}, "structure_type"),
        ({"element": "Xx"}, "element"),
        ({"size": 0}, "size"),
        ({"structure_type": "BCC", "size": 9}, "size"),
        ({"delta2": -1.0}, "delta2"),
        ({"qmax": 0.5}, "qmax"),
        ({"qdamp": -0.1}, "qdamp"),
        ({"biso": float("nan")}, "biso"),
    ],
)
def test_bad_arguments_give_one_clear_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_pdf_explorer(**kwargs)


def test_the_curve_is_the_datasets_recipe_with_the_slider_values():
    from helpers.simulation import clean_parameters, simulate

    g = curve(plot_pdf_explorer("Decahedral", "Ag", 3, qmax=18.0, qdamp=0.05, biso=0.8, delta2=1.0).axes[0])
    pdf = simulate(
        "Decahedral",
        "Ag",
        3,
        clean_parameters() | {"qmax": 18.0, "qdamp": 0.05, "biso": 0.8, "delta2": 1.0},
        r=R_EXPLORER,
    )
    np.testing.assert_allclose(g, pdf.g * pdf.g_max)


def test_the_sliders_come_from_the_parameter_table():
    from helpers.simulation import TABLE
    from helpers.widgets.pdf_explorer import DEFAULTS, SLIDER_RANGES

    for name, (lo, hi, _) in SLIDER_RANGES.items():
        assert (lo, hi) == (TABLE[name].low, TABLE[name].high)
        assert DEFAULTS[name] == TABLE[name].clean


def test_wrong_type_gives_type_error():
    with pytest.raises(TypeError, match="qmax"):
        plot_pdf_explorer(qmax="25")


def test_widget_builds_with_findable_controls():
    box = pdf_explorer_widget()
    assert isinstance(box, ipywidgets.VBox)
    assert "pdf-explorer" in box._dom_classes
    c = box.controls
    assert isinstance(c["structure_type"], ipywidgets.Dropdown)
    assert list(c["structure_type"].options) == list(STRUCTURE_TYPES)
    assert isinstance(c["element"], ipywidgets.Dropdown)
    assert list(c["size"].options) == list(SIZES["FCC"])
    for name, desc, lo, hi in [  # the experiment-like ranges of the parameter table
        ("qmax", "Qmax (Å⁻¹)", 12, 30),
        ("qdamp", "Qdamp (Å⁻¹)", 0.01, 0.07),
        ("biso", "Biso (Å²)", 0.1, 1.0),
        ("delta2", "delta2 (Å²)", 0.0, 4.0),
    ]:
        s = c[name]
        assert isinstance(s, ipywidgets.FloatSlider)
        assert s.description == desc and s.min == pytest.approx(lo) and s.max == pytest.approx(hi)
        assert s.continuous_update is False
    assert isinstance(box.output, ipywidgets.Output)
    # every control is inside the container
    shown = set()
    stack = [box]
    while stack:
        w = stack.pop()
        shown.add(id(w))
        stack.extend(getattr(w, "children", ()))
    assert all(id(w) in shown for w in c.values()) and id(box.output) in shown


def _spy_on_the_picture(monkeypatch) -> list:
    import helpers.widgets.pdf_explorer as mod

    calls = []
    real = mod.PdfPicture.show

    def spy(self, *args, **kwargs):
        calls.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(mod.PdfPicture, "show", spy)
    return calls


def test_changing_a_control_redraws(monkeypatch):
    calls = _spy_on_the_picture(monkeypatch)
    box = pdf_explorer_widget()
    assert len(calls) == 1  # the first drawing
    box.controls["qmax"].value = 15.0
    assert len(calls) == 2 and calls[-1]["qmax"] == pytest.approx(15.0)
    box.controls["element"].value = "Au"
    assert calls[-1]["element"] == "Au"
    box.redraw()
    assert len(calls) == 4


def test_the_static_and_the_live_figure_are_the_same_picture(monkeypatch):
    """Both figures are drawn by PdfPicture: the same curve, guide line, label, limits and title."""
    import helpers.widgets.pdf_explorer as mod

    pictures = []
    real = mod.PdfPicture.__init__
    monkeypatch.setattr(mod.PdfPicture, "__init__", lambda self, ax: pictures.append(self) or real(self, ax))
    args = ("BCC", "Fe", 5, 20.0, 0.02, 0.5, 1.5)
    pdf_explorer_widget(*args)
    plot_pdf_explorer(*args)
    live, static = pictures

    def drawn(p):
        return (
            np.asarray(p.curve.get_ydata()).tolist(),
            p.curve.get_color(),
            list(p.nn_line.get_xdata()),
            p.nn_label.get_text(),
            p.ax.get_ylim(),
            p.ax.get_title(),
            (p.ax.get_xlabel(), p.ax.get_ylabel()),
        )

    assert drawn(live) == drawn(static)


def png_of(box) -> str:
    (out,) = box.output.outputs
    assert out["output_type"] == "display_data"
    return out["data"]["image/png"]


def test_the_output_shows_a_png_that_changes_with_a_slider():
    import base64

    box = pdf_explorer_widget()
    first = png_of(box)
    assert base64.b64decode(first).startswith(b"\x89PNG")
    assert "FCC Pt" in box.output.outputs[0]["data"]["text/plain"]
    box.controls["biso"].value = 1.0
    second = png_of(box)
    assert second != first
    assert "Biso 1 Å²" in box.output.outputs[0]["data"]["text/plain"]


def test_changing_the_type_offers_its_sizes_and_redraws_once(monkeypatch):
    calls = _spy_on_the_picture(monkeypatch)
    box = pdf_explorer_widget()
    box.controls["structure_type"].value = "BCC"
    assert list(box.controls["size"].options) == list(SIZES["BCC"])
    assert box.controls["size"].value in SIZES["BCC"]
    assert len(calls) == 2 and calls[-1]["structure_type"] == "BCC"
    assert calls[-1]["size"] in SIZES["BCC"]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"qmax": "25"}, TypeError, "qmax must be a number"),
        ({"biso": True}, TypeError, "biso must be a number"),
        ({"size": 4.0}, TypeError, "size must be an integer"),
        ({"qmax": 0.7}, ValueError, "qmax must be > 1 Å⁻¹"),  # above the clean Qmin
        ({"qdamp": -0.1}, ValueError, "qdamp must be >= 0 Å⁻¹"),
    ],
)
def test_arguments_are_checked_with_the_courses_one_validator(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_pdf_explorer(**kwargs)
    with pytest.raises(error, match=match):
        pdf_explorer_widget(**kwargs)
