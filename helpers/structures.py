"""Metal nanoparticles of seven structure types, built with ASE.

Every particle is built from the element's *nearest-neighbour distance*
``d_nn`` (taken from ASE's reference bulk structure of that element), so a Pt
particle is always made of Pt-sized atoms whatever its structure type:

==============  ==========================================  =====================
type            ASE builder                                 lattice constant
==============  ==========================================  =====================
SC              ``ase.cluster.SimpleCubic``                 a = d_nn
FCC             ``ase.cluster.FaceCenteredCubic``           a = sqrt(2) d_nn
BCC             ``ase.cluster.BodyCenteredCubic``           a = 2 d_nn / sqrt(3)
HCP             ``ase.lattice.hexagonal.HexagonalClosedPacked``, cut to a sphere
                                                            a = d_nn, c = 1.633 a
Icosahedral     ``ase.cluster.Icosahedron``                 a = sqrt(2) d_nn
Decahedral      ``ase.cluster.Decahedron``                  a = sqrt(2) d_nn
Octahedral      ``ase.cluster.Octahedron``                  a = sqrt(2) d_nn
==============  ==========================================  =====================

``size`` is a small integer (layers, shells, edge length or sphere radius,
depending on the type); :data:`SIZES` lists, per type, the sizes that give about 10 to 600
atoms.  :func:`make_particle` is the one entry point.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from ase import Atoms
from ase.cluster import (
    BodyCenteredCubic,
    Decahedron,
    FaceCenteredCubic,
    Icosahedron,
    Octahedron,
    SimpleCubic,
)
from ase.data import atomic_numbers, reference_states
from ase.lattice.hexagonal import HexagonalClosedPacked

STRUCTURE_TYPES: tuple[str, ...] = (
    "SC",
    "FCC",
    "BCC",
    "HCP",
    "Icosahedral",
    "Decahedral",
    "Octahedral",
)
"""The seven structure types, in the order used for class labels everywhere."""

ELEMENTS: tuple[str, ...] = (
    "Au", "Pt", "Ag", "Cu", "Pd", "Ni", "Ir", "Rh",  # fcc in bulk
    "Fe", "W", "Mo", "Cr",  # bcc in bulk
    "Co", "Ru", "Ti",  # hcp in bulk
)  # fmt: skip
"""Metals the course uses: FCC, BCC and HCP metals in their bulk form."""

SIZES: dict[str, tuple[int, ...]] = {
    "SC": (2, 3, 4, 5, 6, 7),  # 25 ... 575 atoms
    "FCC": (2, 3, 4, 5, 6, 7),  # 19 ... 423
    "BCC": (4, 5, 6, 7, 8, 9),  # 33 ... 289
    "HCP": (2, 3, 4, 5, 6, 7),  # 57 ... 527
    "Icosahedral": (2, 3, 4, 5, 6, 7),  # 13 ... 923
    "Decahedral": (2, 3, 4, 5, 6, 7),  # 13 ... 923
    "Octahedral": (4, 5, 6, 7, 8, 9),  # 44 ... 489 (size 3, 19 atoms, is the same cluster as FCC size 2)
}
"""Per structure type, six ``size`` values spanning about 15 to 900 atoms (the
magic numbers of each shape differ, so the atom counts cannot match exactly)."""

_CUBIC_SURFACES = [(1, 0, 0), (1, 1, 0), (1, 1, 1)]
_IDEAL_C_OVER_A = np.sqrt(8.0 / 3.0)


def nearest_neighbour_distance(element: str) -> float:
    """Nearest-neighbour distance (Å) of ``element`` in its bulk reference state."""
    if element not in atomic_numbers:
        raise ValueError(f"unknown element {element!r}: expected a chemical symbol such as 'Pt'")
    ref = reference_states[atomic_numbers[element]]
    sym = (ref or {}).get("symmetry")
    if sym == "fcc":
        return ref["a"] / np.sqrt(2.0)
    if sym == "bcc":
        return ref["a"] * np.sqrt(3.0) / 2.0
    if sym == "hcp":
        return ref["a"]
    raise ValueError(f"element {element!r} is not an fcc, bcc or hcp metal in ASE's reference data")


def _hcp_sphere_positions(size: int) -> np.ndarray:
    """A sphere of radius (1 + size/2) d_nn cut from ideal hcp (d_nn = 1), centred on an atom."""
    n = size + 3
    bulk = HexagonalClosedPacked(
        symbol="Cu", latticeconstant={"a": 1.0, "c": _IDEAL_C_OVER_A}, size=(2 * n, 2 * n, n), pbc=False
    )
    pos = bulk.get_positions()
    centre = pos[np.argmin(np.linalg.norm(pos - pos.mean(axis=0), axis=1))]
    keep = np.linalg.norm(pos - centre, axis=1) <= 1.0 + 0.5 * size + 1e-6
    return pos[keep] - centre


@lru_cache(maxsize=256)
def _unit_positions(structure_type: str, size: int) -> np.ndarray:
    """Atom positions for nearest-neighbour distance 1 (geometry scales linearly with d_nn)."""
    fcc_a = np.sqrt(2.0)
    if structure_type == "SC":
        atoms = SimpleCubic("Cu", _CUBIC_SURFACES, [size] * 3, latticeconstant=1.0)
    elif structure_type == "FCC":
        atoms = FaceCenteredCubic("Cu", _CUBIC_SURFACES, [size] * 3, latticeconstant=fcc_a)
    elif structure_type == "BCC":
        atoms = BodyCenteredCubic("Cu", _CUBIC_SURFACES, [size] * 3, latticeconstant=2.0 / np.sqrt(3.0))
    elif structure_type == "HCP":
        return _frozen(_hcp_sphere_positions(size))
    elif structure_type == "Icosahedral":
        atoms = Icosahedron("Cu", noshells=size, latticeconstant=fcc_a)
    elif structure_type == "Decahedral":
        atoms = Decahedron("Cu", p=size, q=size, r=0, latticeconstant=fcc_a)
    else:  # Octahedral
        atoms = Octahedron("Cu", length=size, cutoff=0, latticeconstant=fcc_a)
    pos = atoms.get_positions()
    return _frozen(pos - pos.mean(axis=0))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=float)
    a.setflags(write=False)
    return a


def make_particle(structure_type: str, element: str, size: int, *, d_nn: float | None = None) -> Atoms:
    """Build a nanoparticle of ``structure_type`` made of ``element``.

    Parameters
    ----------
    structure_type : one of :data:`STRUCTURE_TYPES`.
    element : chemical symbol of an fcc, bcc or hcp metal, e.g. ``"Pt"``.
    size : integer size parameter (layers / shells / edge length); see :data:`SIZES`.
    d_nn : override the nearest-neighbour distance (Å), e.g. to strain the lattice.

    Returns
    -------
    ase.Atoms centred on the origin (centre of mass), without periodic boundaries.
    Geometries are built once per (type, size) and scaled by ``d_nn``, so
    repeated calls are cheap.
    """
    if structure_type not in STRUCTURE_TYPES:
        raise ValueError(
            f"unknown structure_type {structure_type!r}: expected one of {', '.join(STRUCTURE_TYPES)}"
        )
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    d = nearest_neighbour_distance(element) if d_nn is None else float(d_nn)
    if not d > 0:
        raise ValueError(f"d_nn must be a positive distance in Å, got {d_nn!r}")
    pos = _unit_positions(structure_type, int(size)) * d
    return Atoms(element + str(len(pos)), positions=pos)


def diameter(atoms: Atoms) -> float:
    """Largest distance (Å) between two atoms of the particle."""
    from scipy.spatial.distance import pdist

    pos = atoms.get_positions()
    return float(pdist(pos).max()) if len(pos) > 1 else 0.0
