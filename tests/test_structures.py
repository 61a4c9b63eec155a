import numpy as np
import pytest
from scipy.spatial.distance import pdist

from helpers.structures import (
    ELEMENTS,
    SIZES,
    STRUCTURE_TYPES,
    diameter,
    make_particle,
    nearest_neighbour_distance,
)


def test_seven_types_in_course_order():
    assert STRUCTURE_TYPES == ("SC", "FCC", "BCC", "HCP", "Icosahedral", "Decahedral", "Octahedral")
    assert set(SIZES) == set(STRUCTURE_TYPES)


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
    atoms = make_particle(structure_type, "Pt", SIZES[structure_type][1])
    d = pdist(atoms.get_positions())
    assert d.min() == pytest.approx(2.772, abs=0.01)
    assert set(atoms.get_chemical_symbols()) == {"Pt"}
    assert not atoms.pbc.any()


@pytest.mark.parametrize("structure_type", STRUCTURE_TYPES)
def test_sizes_span_a_handful_to_hundreds_of_atoms(structure_type):
    counts = [len(make_particle(structure_type, "Au", s)) for s in SIZES[structure_type]]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)
    assert counts[0] <= 60 and counts[-1] >= 280


def test_magic_numbers():
    assert len(make_particle("Icosahedral", "Cu", 3)) == 55
    assert len(make_particle("Decahedral", "Cu", 3)) == 55
    assert len(make_particle("Octahedral", "Cu", 4)) == 44
    assert len(make_particle("Icosahedral", "Cu", 5)) == 309


def test_hcp_is_close_packed_with_twelve_neighbours_in_the_core():
    atoms = make_particle("HCP", "Co", 5)
    pos = atoms.get_positions()
    centre = np.argmin(np.linalg.norm(pos, axis=1))
    dist = np.linalg.norm(pos - pos[centre], axis=1)
    assert np.sum((dist > 0.1) & (dist < 2.51 * 1.05)) == 12


def test_bcc_centre_has_eight_nearest_neighbours():
    atoms = make_particle("BCC", "Fe", 6)
    pos = atoms.get_positions()
    centre = np.argmin(np.linalg.norm(pos, axis=1))
    dist = np.linalg.norm(pos - pos[centre], axis=1)
    d_nn = nearest_neighbour_distance("Fe")
    assert np.sum((dist > 0.1) & (dist < d_nn * 1.05)) == 8


def test_d_nn_override_scales_geometry_and_diameter():
    a = make_particle("FCC", "Pt", 4)
    b = make_particle("FCC", "Pt", 4, d_nn=2.772 * 1.02)
    assert diameter(b) == pytest.approx(diameter(a) * 1.02 * 2.772 / nearest_neighbour_distance("Pt"))


def test_particles_are_centred_and_independent_copies():
    a = make_particle("SC", "Cu", 3)
    assert np.allclose(a.get_positions().mean(axis=0), 0, atol=1e-9)
    a.positions[:] = 0.0  # must not corrupt the cache
    assert diameter(make_particle("SC", "Cu", 3)) > 5


@pytest.mark.parametrize(
    "args, match",
    [
        (("Cubic", "Pt", 3), "structure_type"),
        (("FCC", "Xx", 3), "element"),
        (("FCC", "Si", 3), "fcc, bcc or hcp"),
        (("FCC", "Pt", 0), "size"),
        (("FCC", "Pt", 2.5), "size"),
    ],
)
def test_bad_arguments_are_named(args, match):
    with pytest.raises(ValueError, match=match):
        make_particle(*args)
