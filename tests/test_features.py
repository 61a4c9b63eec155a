"""helpers.features: the first-peak position d₁ and the reduced distance r/d₁."""

import numpy as np
import pytest

from helpers.data import R_GRID, load_pdfs, to_xy
from helpers.features import FIRST_PEAK_WINDOW, S_GRID, first_peak_position, reduced_distance


def gaussian_peaks(r, centres, heights=None, width=0.12):  # σ of a PDF peak at Biso ≈ 0.5 Å²
    heights = np.ones(len(centres)) if heights is None else heights
    return sum(h * np.exp(-0.5 * ((r - c) / width) ** 2) for c, h in zip(centres, heights))


@pytest.fixture(scope="module")
def clean():
    return load_pdfs("clean")


def test_the_parabola_finds_a_peak_between_grid_points():
    for centre in np.linspace(2.4, 3.1, 29):
        g = gaussian_peaks(R_GRID, [centre, centre * np.sqrt(2)])
        d1 = first_peak_position(g)
        assert isinstance(d1, float)
        assert d1 == pytest.approx(centre, abs=0.004)  # the grid point alone is up to 0.05 Å off


def test_a_higher_peak_outside_the_window_is_ignored():
    g = gaussian_peaks(R_GRID, [2.6, 4.0], heights=[0.5, 1.0])
    assert first_peak_position(g) == pytest.approx(2.6, abs=0.005)
    assert first_peak_position(g, window=(3.5, 4.5)) == pytest.approx(4.0, abs=0.005)


def test_rows_and_other_grids():
    r = np.round(np.arange(1.0, 30.0 + 1e-9, 0.05), 10)
    G = np.stack([gaussian_peaks(r, [c]) for c in (2.5, 2.8, 3.0)])
    d1 = first_peak_position(G, r)
    assert d1.shape == (3,)
    assert d1 == pytest.approx([2.5, 2.8, 3.0], abs=0.002)


def test_a_flat_top_gives_the_grid_point_not_nan():
    g = np.zeros(len(R_GRID))
    g[(R_GRID > 2.45) & (R_GRID < 2.75)] = 1.0  # a plateau: no curvature to refine with
    d1 = first_peak_position(g)
    assert np.isfinite(d1) and 2.45 < d1 < 2.75


def test_the_dataset_first_peak_is_the_nearest_neighbour_distance(clean):
    X, y = to_xy(clean)
    ratio = first_peak_position(X) / clean["d_nn"].to_numpy()
    assert np.all(np.abs(ratio[y != "Icosahedral"] - 1) < 0.01)
    assert np.all((ratio[y == "Icosahedral"] > 1.01) & (ratio[y == "Icosahedral"] < 1.05))  # strained shells


def test_reduced_distance_puts_one_shape_of_two_metals_on_one_curve(clean):
    def row(element):
        rows = clean[
            (clean["structure_type"] == "Octahedral") & (clean["element"] == element) & (clean["size"] == 4)
        ]
        return to_xy(rows)[0][0]

    pt, ni = row("Pt"), row("Ni")
    on_s = reduced_distance(np.stack([pt, ni]))
    assert on_s.shape == (2, len(S_GRID))
    assert np.allclose(reduced_distance(pt), on_s[0])
    assert np.corrcoef(on_s)[0, 1] > 0.99  # one curve on r/d1 ...
    assert np.corrcoef(pt, ni)[0, 1] < 0.5  # ... different curves on r


def test_reduced_distance_of_a_stretched_pdf():
    g = gaussian_peaks(R_GRID, [2.5, 2.5 * np.sqrt(2), 5.0])
    stretched = gaussian_peaks(R_GRID, [2.9, 2.9 * np.sqrt(2), 5.8], width=0.12 * 2.9 / 2.5)
    assert np.max(np.abs(reduced_distance(g) - reduced_distance(stretched))) < 0.06  # linear interpolation
    assert np.max(np.abs(g - stretched)) > 0.9  # on r the peaks do not overlap


def test_reduced_distance_takes_its_axis_grid_and_window():
    g = gaussian_peaks(R_GRID, [2.5, 5.0], width=0.3)
    s = np.linspace(0.7, 8.0, 120)
    out = reduced_distance(g, s=s, window=(2.2, 3.2))
    assert out.shape == (120,)
    d1 = first_peak_position(g, window=(2.2, 3.2))
    assert np.allclose(out, np.interp(s * d1, R_GRID, g))
    assert np.interp(2.0, s, out) == pytest.approx(1.0, abs=0.03)  # the peak at 5 Å = 2 d1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"G": np.zeros((2, 3))}, "one PDF per row"),
        ({"G": np.full(len(R_GRID), np.nan)}, "NaN"),
        ({"window": (31.0, 32.0)}, "neighbour on each side"),
        ({"window": (3.4, 2.0)}, "neighbour on each side"),
        ({"r": R_GRID**1.01}, "evenly spaced"),
        ({"s": np.linspace(0.5, 12.0, 50)}, "outside the grid"),
        ({"s": np.zeros((2, 2))}, "1-D array"),
    ],
)
def test_clear_errors(kwargs, match):
    args = {"G": gaussian_peaks(R_GRID, [2.6]), **kwargs}
    with pytest.raises(ValueError, match=match):
        reduced_distance(**args)


def test_defaults_are_read_only_and_documented():
    assert FIRST_PEAK_WINDOW == (2.0, 3.4)
    assert S_GRID[0] == 0.8 and S_GRID[-1] == 9.7 and len(S_GRID) == 179
    with pytest.raises(ValueError):
        S_GRID[0] = 1.0
