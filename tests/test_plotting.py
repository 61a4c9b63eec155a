import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.plotting import (
    TYPE_COLOURS,
    plot_confusion_matrix,
    plot_pdf,
    plot_pdfs_by_type,
    use_course_style,
)
from helpers.structures import STRUCTURE_TYPES


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_style_sets_the_course_style_and_only_it():
    """From matplotlib's defaults: the style's keys get the style's values, every other key is left alone."""
    from helpers.plotting import _STYLE

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        before = dict(matplotlib.rcParams)
        use_course_style()
        after = dict(matplotlib.rcParams)
        use_course_style()  # idempotent: a second call changes nothing
        again = dict(matplotlib.rcParams)
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {key for key, value in _STYLE.items() if before[key] != value}
    assert {key: after[key] for key in _STYLE} == {
        key: matplotlib.rcParams.validate[key](v) for key, v in _STYLE.items()
    }
    assert again == after
    assert after["axes.grid"] is True and after["figure.dpi"] == 80 and after["axes.spines.top"] is False


def test_plot_pdf_labels_axes_with_units():
    r = np.linspace(1, 30, 50)
    ax = plot_pdf(r, np.sin(r), label="test")
    assert ax.get_xlabel() == "r (Å)" and ax.get_ylabel() == "G(r) (Å⁻²)"
    assert np.allclose(ax.lines[0].get_ydata(), np.sin(r))
    assert ax.get_legend() is not None


def test_plot_pdf_rejects_mismatched_arrays():
    with pytest.raises(ValueError, match="same length"):
        plot_pdf(np.arange(5), np.arange(4))


def test_plot_by_type_colours_and_one_legend_entry_per_type():
    r = np.linspace(1, 30, 20)
    types = ["FCC", "BCC", "FCC", "SC"]
    G = np.vstack([np.cos(r + k) for k in range(4)])
    ax = plot_pdfs_by_type(r, G, types, offset=2.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SC", "FCC", "BCC"]
    colours = {line.get_color() for line in ax.lines}
    assert colours == {TYPE_COLOURS[t] for t in set(types)}
    assert len(ax.lines) == 4
    # offsets: SC (order 0) unshifted, BCC (order 2) shifted by 2 * offset
    assert np.allclose(ax.lines[0].get_ydata(), G[3])
    assert np.allclose(ax.lines[-1].get_ydata(), G[1] + 4.0)


def test_plot_by_type_checks_shapes():
    with pytest.raises(ValueError, match="shape"):
        plot_pdfs_by_type(np.arange(5), np.zeros((2, 5)), ["FCC"])


def test_confusion_matrix_counts_and_labels():
    y_true = ["FCC", "FCC", "BCC", "SC"]
    y_pred = ["FCC", "BCC", "BCC", "SC"]
    ax = plot_confusion_matrix(y_true, y_pred)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["SC", "FCC", "BCC"]
    assert ax.get_xlabel() == "predicted structure type"
    image = ax.images[0].get_array()
    assert np.array_equal(np.asarray(image), [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_type_colours_cover_all_types_and_are_distinct():
    assert set(TYPE_COLOURS) == set(STRUCTURE_TYPES)
    assert len(set(TYPE_COLOURS.values())) == len(STRUCTURE_TYPES)
