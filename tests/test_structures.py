"""helpers.structures: seven structure types, eight sizes each, of about the same diameters."""

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from helpers.structures import (
    CATALOGUE,
    ELEMENTS,
    SIZES,
    STRUCTURE_TYPES,
    diameter,
    make_particle,
    nearest_neighbour_distance,
    shape_of,
    unit_positions,
)


def test_seven_types_in_course_order():
    assert STRUCTURE_TYPES == ("SC", "FCC", "BCC", "HCP", "Icosahedral", "Decahedral", "Octahedral")
    assert set(SIZES) == set(STRUCTURE_TYPES) == set(CATALOGUE)
    assert all(SIZES[t] == tuple(range(1, 9)) for t in STRUCTURE_TYPES)


@pytest.mark.parametrize(
    "element, expected",
    [("Pt", 3.92 / np.sqrt(2)), ("Au", 4.08 / np.sqrt(2)), ("Fe", 2.87 * np.sqrt(3) / 2), ("Co", 2.51)],
)
def test_nearest_neighbour_distance_from_bulk(element, expected):
    assert nearest_neighbour_distance(element) == pytest.approx(expected, rel=1e-9)


def test_elements_have_their_own_lattice_constants():
    d = {el: nearest_neighbour_distance(el) for el in ELEMENTS}
    assert len(set(np.round(list(d.values()), 3))) >= 12
    assert d["Pt"] == pytest.approx(2.772, abs=0.002)


@pytest.mark.parametrize("structure_type", STRUCTURE_TYPES)
def test_every_type_has_pt_nearest_neighbours_at_2_77(structure_type):
    atoms = make_particle(structure_type, "Pt", 2)
    d = pdist(atoms.get_positions())
    assert d.min() == pytest.approx(
        2.772, abs=0.1 if structure_type in ("Icosahedral", "Decahedral") else 0.01
    )
    assert set(atoms.get_chemical_symbols()) == {"Pt"}
    assert not atoms.pbc.any()


@pytest.mark.parametrize("structure_type", STRUCTURE_TYPES)
def test_the_same_size_has_about_the_same_diameter_in_every_type(structure_type):
    diameters = [diameter(make_particle(structure_type, "Cu", s, d_nn=1.0)) for s in SIZES[structure_type]]
    assert diameters == sorted(diameters)
    targets = 2.0 * np.array(SIZES[structure_type]) + 2.0  # 4, 6, ..., 18 d_nn
    assert np.all(np.abs(np.array(diameters) - targets) <= 1.0), diameters


def test_all_particles_are_different():
    # no two catalogue particles are one cluster under two labels (the 19-atom octahedron *is* an FCC particle)
    seen = {}
    for t in STRUCTURE_TYPES:
        for s in SIZES[t]:
            d = np.unique(np.round(pdist(unit_positions(t, s)), 6))
            key = (len(unit_positions(t, s)), tuple(d[:20]))
            assert key not in seen, (t, s, seen.get(key))
            seen[key] = (t, s)


def test_fcc_has_three_realistic_shapes_and_decahedra_two():
    assert {shape_of("FCC", s).name for s in SIZES["FCC"]} == {
        "cuboctahedron",
        "truncated octahedron",
        "sphere",
    }
    assert {shape_of("Decahedral", s).name for s in SIZES["Decahedral"]} == {
        "Ino decahedron",
        "Marks decahedron",
    }
    marks = [
        shape_of("Decahedral", s)
        for s in SIZES["Decahedral"]
        if shape_of("Decahedral", s).name.startswith("Marks")
    ]
    assert all(shape.args[2] > 0 for shape in marks)  # ASE's re-entrance depth r > 0


def test_magic_numbers():
    assert len(make_particle("Icosahedral", "Cu", 1)) == 55
    assert len(make_particle("Icosahedral", "Cu", 3)) == 309
    assert len(make_particle("Decahedral", "Cu", 1)) == 55
    assert len(make_particle("Octahedral", "Cu", 1)) == 44
    assert len(make_particle("FCC", "Cu", 1)) == 55  # the 55-atom cuboctahedron


def test_hcp_is_close_packed_with_twelve_neighbours_in_the_core():
    atoms = make_particle("HCP", "Co", 4)
    pos = atoms.get_positions()
    centre = np.argmin(np.linalg.norm(pos, axis=1))
    dist = np.linalg.norm(pos - pos[centre], axis=1)
    assert np.sum((dist > 0.1) & (dist < 2.51 * 1.05)) == 12


def test_bcc_centre_has_eight_nearest_neighbours():
    atoms = make_particle("BCC", "Fe", 5)
    pos = atoms.get_positions()
    centre = np.argmin(np.linalg.norm(pos, axis=1))
    dist = np.linalg.norm(pos - pos[centre], axis=1)
    d_nn = nearest_neighbour_distance("Fe")
    assert np.sum((dist > 0.1) & (dist < d_nn * 1.05)) == 8


def test_d_nn_override_scales_geometry_and_diameter():
    a = make_particle("FCC", "Pt", 4)
    b = make_particle("FCC", "Pt", 4, d_nn=2.772 * 1.02)
    assert diameter(b) == pytest.approx(diameter(a) * 1.02 * 2.772 / nearest_neighbour_distance("Pt"))


def test_diameter_is_the_largest_distance():
    atoms = make_particle("Decahedral", "Au", 3)
    assert diameter(atoms) == pytest.approx(pdist(atoms.get_positions()).max())
    assert diameter(make_particle("SC", "Cu", 1)[:3]) == pytest.approx(
        pdist(make_particle("SC", "Cu", 1)[:3].positions).max()
    )


def test_particles_are_centred_and_independent_copies():
    a = make_particle("SC", "Cu", 2)
    assert np.allclose(a.get_positions().mean(axis=0), 0, atol=1e-9)
    a.positions[:] = 0.0  # must not corrupt the cache
    assert diameter(make_particle("SC", "Cu", 2)) > 5


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (("Cubic", "Pt", 3), {}, ValueError, "structure_type"),
        (("FCC", "Xx", 3), {}, ValueError, "element"),
        (("FCC", "Si", 3), {}, ValueError, "fcc, bcc or hcp"),
        (("FCC", "Pt", 0), {}, ValueError, "size must be one of 1..8"),
        (("FCC", "Pt", 9), {}, ValueError, "size must be one of 1..8"),
        (("FCC", "Pt", 2.5), {}, TypeError, "size must be an integer"),
        (("FCC", "Pt", True), {}, TypeError, "size must be an integer"),
        (("FCC", "Pt", 2), {"d_nn": -1.0}, ValueError, "d_nn must be > 0"),
        (("FCC", "Pt", 2), {"d_nn": "2.8"}, TypeError, "d_nn must be a number"),
        (("FCC", "Xx", 2), {"d_nn": 2.8}, ValueError, "unknown element"),
    ],
)
def test_bad_arguments_are_named(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_particle(*args, **kwargs)


def test_particles_can_be_built_from_several_threads():
    # ASE's builders keep state while they build: without a lock two threads corrupt each other's particle
    from concurrent.futures import ThreadPoolExecutor

    unit_positions.cache_clear()
    cases = [(t, s) for t in ("HCP", "FCC", "BCC", "Decahedral") for s in SIZES[t]] * 2
    with ThreadPoolExecutor(4) as pool:
        built = list(pool.map(lambda c: unit_positions(*c).copy(), cases))
    unit_positions.cache_clear()
    for (t, s), pos in zip(cases, built):
        assert np.array_equal(pos, unit_positions(t, s)), (t, s)
