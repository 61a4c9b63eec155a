"""Metal nanoparticles of seven structure types, built with ASE.

Every particle is built from the element's *nearest-neighbour distance*
``d_nn`` (taken from ASE's reference bulk structure of that element), so a Pt
particle is always made of Pt-sized atoms whatever its structure type.

Each type has eight sizes, ``size`` = 1 (smallest) to 8 (largest), chosen so
that the same ``size`` gives about the same diameter in every type: about
4, 6, 8, ..., 18 d_nn, i.e. about 1 nm to 5 nm for the metals of the course.
The classes then differ by their atomic arrangement, not by how large they
are (a model must not learn "large means octahedral").  Where real particles
of a type come in several shapes, the sizes alternate between them:

==============  =========================================================  ===============
type            built with (ASE)                                           lattice constant
==============  =========================================================  ===============
SC              ``ase.cluster.SimpleCubic``, (100)+(110)+(111) facets      a = d_nn
FCC             cuboctahedra and truncated octahedra                        a = √2 d_nn
                (``ase.cluster.FaceCenteredCubic``, (100)+(111) facets:
                equal layers give a cuboctahedron, (111) layers ≈ 3/4 of
                the (100) layers the Wulff shape of fcc metals), and spheres
                cut from bulk fcc around an atom
BCC             ``ase.cluster.BodyCenteredCubic``: small (100)+(110)+(111)   a = 2 d_nn / √3
                polyhedra, then (110)-faceted rhombic dodecahedra (the
                Wulff shape of bcc metals)
HCP             ``ase.lattice.hexagonal.HexagonalClosedPacked``, ideal      a = d_nn,
                c/a, cut to a sphere around an atom                         c = 1.633 a
Icosahedral     ``ase.cluster.Icosahedron`` (Mackay icosahedra)             a = √2 d_nn
Decahedral      ``ase.cluster.Decahedron``: Ino decahedra (r = 0) and       a = √2 d_nn
                Marks decahedra (re-entrant (111) notches, r > 0)
Octahedral      ``ase.cluster.Octahedron`` with ``cutoff = 0``: regular     a = √2 d_nn
                octahedra, only (111) facets
==============  =========================================================  ===============

FCC and Octahedral are the hardest pair to tell apart: an octahedron *is* a
piece of fcc crystal, with the same neighbour distances and coordination
shells; only the envelope (the outline of the particle, which scales the
peaks at long distances) differs.  :data:`CATALOGUE` lists every particle;
:func:`make_particle` is the one entry point.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from numbers import Integral
from typing import NamedTuple

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers, reference_states

from helpers.validation import check_scalar

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


class Shape(NamedTuple):
    """One particle of the catalogue: its shape's name and the builder's arguments (d_nn = 1)."""

    name: str
    builder: str
    args: tuple


_CUBIC = ((1, 0, 0), (1, 1, 0), (1, 1, 1))
_FCC_FACETS = ((1, 0, 0), (1, 1, 1))

CATALOGUE: dict[str, tuple[Shape, ...]] = {
    "SC": tuple(Shape("(100)+(110)+(111) polyhedron", "sc", (n,)) for n in range(2, 10)),
    "FCC": (
        Shape("cuboctahedron", "fcc", (2, 2)),
        Shape("truncated octahedron", "fcc", (4, 3)),
        Shape("sphere", "fcc_sphere", (4.05,)),
        Shape("cuboctahedron", "fcc", (5, 5)),
        Shape("truncated octahedron", "fcc", (8, 6)),
        Shape("sphere", "fcc_sphere", (7.05,)),
        Shape("cuboctahedron", "fcc", (8, 8)),
        Shape("truncated octahedron", "fcc", (11, 8)),
    ),
    "BCC": (
        Shape("(100)+(110)+(111) polyhedron", "bcc", (4,)),
        Shape("(100)+(110)+(111) polyhedron", "bcc", (7,)),
        *(Shape("rhombic dodecahedron", "bcc_110", (n,)) for n in range(4, 10)),
    ),
    "HCP": tuple(Shape("sphere", "hcp_sphere", (1.0 + 0.5 * s,)) for s in range(2, 17, 2)),
    "Icosahedral": tuple(Shape("Mackay icosahedron", "icosahedron", (n,)) for n in range(3, 11)),
    "Decahedral": (
        Shape("Ino decahedron", "decahedron", (3, 3, 0)),
        Shape("Marks decahedron", "decahedron", (3, 2, 1)),
        Shape("Ino decahedron", "decahedron", (5, 5, 0)),
        Shape("Marks decahedron", "decahedron", (4, 4, 2)),
        Shape("Ino decahedron", "decahedron", (7, 7, 0)),
        Shape("Marks decahedron", "decahedron", (6, 5, 2)),
        Shape("Ino decahedron", "decahedron", (9, 9, 0)),
        Shape("Marks decahedron", "decahedron", (8, 6, 2)),
    ),
    "Octahedral": tuple(Shape("octahedron", "octahedron", (n,)) for n in (4, 5, 7, 8, 10, 11, 12, 14)),
}
"""Per structure type, the eight particles of sizes 1..8 (builder arguments for d_nn = 1): for
``fcc`` the (100) and (111) layers, ``*_sphere`` the radius, ``decahedron`` ASE's (p, q, r),
``octahedron`` the atoms per edge, ``sc``/``bcc``/``bcc_110`` the layers, ``icosahedron`` the shells."""

SIZES: dict[str, tuple[int, ...]] = {t: tuple(range(1, len(CATALOGUE[t]) + 1)) for t in STRUCTURE_TYPES}
"""Per structure type, the valid ``size`` values: 1 (about 4 d_nn across) to 8 (about 18 d_nn)."""

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


def _sphere(bulk: np.ndarray, radius: float) -> np.ndarray:
    """The atoms of ``bulk`` within ``radius`` of the atom nearest its centre, centred on that atom."""
    centre = bulk[np.argmin(np.linalg.norm(bulk - bulk.mean(axis=0), axis=1))]
    keep = np.linalg.norm(bulk - centre, axis=1) <= radius + 1e-6
    return bulk[keep] - centre


def _build(shape: Shape) -> np.ndarray:
    """Positions (d_nn = 1) of one catalogue particle."""
    # ase.cluster and ase.lattice cost 0.4 s to import (they pull in scipy.integrate): imported only
    # when a particle is built, not by every `import helpers...` (identify reads stored distances)
    from ase.cluster import (
        BodyCenteredCubic,
        Decahedron,
        FaceCenteredCubic,
        Icosahedron,
        Octahedron,
        SimpleCubic,
    )
    from ase.lattice.hexagonal import HexagonalClosedPacked

    fcc_a = np.sqrt(2.0)
    kind, args = shape.builder, shape.args
    if kind == "sc":
        return SimpleCubic("Cu", _CUBIC, [args[0]] * 3, latticeconstant=1.0).get_positions()
    if kind == "bcc":
        return BodyCenteredCubic(
            "Cu", _CUBIC, [args[0]] * 3, latticeconstant=2.0 / np.sqrt(3.0)
        ).get_positions()
    if kind == "bcc_110":
        return BodyCenteredCubic(
            "Cu", [(1, 1, 0)], [args[0]], latticeconstant=2.0 / np.sqrt(3.0)
        ).get_positions()
    if kind == "fcc":
        return FaceCenteredCubic("Cu", _FCC_FACETS, list(args), latticeconstant=fcc_a).get_positions()
    if kind == "fcc_sphere":
        n = int(args[0]) + 3
        bulk = FaceCenteredCubic("Cu", _CUBIC, [2 * n] * 3, latticeconstant=fcc_a).get_positions()
        return _sphere(bulk, args[0])
    if kind == "hcp_sphere":
        n = int(args[0]) + 3
        bulk = HexagonalClosedPacked(
            symbol="Cu", latticeconstant={"a": 1.0, "c": _IDEAL_C_OVER_A}, size=(2 * n, 2 * n, n), pbc=False
        ).get_positions()
        return _sphere(bulk, args[0])
    if kind == "icosahedron":
        return Icosahedron("Cu", noshells=args[0], latticeconstant=fcc_a).get_positions()
    if kind == "decahedron":
        return Decahedron("Cu", *args, latticeconstant=fcc_a).get_positions()
    if kind == "octahedron":
        return Octahedron("Cu", length=args[0], cutoff=0, latticeconstant=fcc_a).get_positions()
    raise ValueError(f"unknown builder {kind!r}")  # pragma: no cover - the catalogue is fixed


def _check_type_and_size(structure_type: str, size) -> int:
    if structure_type not in STRUCTURE_TYPES:
        raise ValueError(
            f"unknown structure_type {structure_type!r}: expected one of {', '.join(STRUCTURE_TYPES)}"
        )
    size = check_scalar(size, "size", Integral)
    if size not in SIZES[structure_type]:
        raise ValueError(
            f"size must be one of 1..{len(SIZES[structure_type])} for {structure_type}, got {size}"
        )
    return size


def shape_of(structure_type: str, size: int) -> Shape:
    """The catalogue entry (shape name, builder and its arguments) of ``structure_type`` and ``size``."""
    return CATALOGUE[structure_type][_check_type_and_size(structure_type, size) - 1]


_ASE_BUILDERS = threading.Lock()  # ASE's cluster and lattice builders are shared objects with state


def build_positions(shape: Shape) -> np.ndarray:
    """Positions (d_nn = 1, not centred) of any particle a :class:`Shape` describes, also one outside the
    catalogue (tests and benchmarks build other sizes this way, e.g. ``Shape("sphere", "hcp_sphere", (3.5,))``).

    Safe to call from several threads: ASE's builders are module-level objects that keep state while
    they build, so one particle is built at a time.
    """
    with _ASE_BUILDERS:
        return _build(shape)


@lru_cache(maxsize=128)
def unit_positions(structure_type: str, size: int) -> np.ndarray:
    """Atom positions for nearest-neighbour distance 1, centred on the origin (read-only array).

    Geometry scales linearly with d_nn, so every element's particle is this times its d_nn.
    Safe to call from several threads (helpers.identify fits in two): ASE's builders are module-level
    objects that keep state while they build, so one particle is built at a time.
    """
    pos = build_positions(shape_of(structure_type, size))
    pos = np.ascontiguousarray(pos - pos.mean(axis=0), dtype=float)
    pos.setflags(write=False)
    return pos


def make_particle(structure_type: str, element: str, size: int, *, d_nn: float | None = None) -> Atoms:
    """Build a nanoparticle of ``structure_type`` made of ``element``.

    Parameters
    ----------
    structure_type : one of :data:`STRUCTURE_TYPES`.
    element : chemical symbol of an fcc, bcc or hcp metal, e.g. ``"Pt"``.
    size : 1 (smallest, about 4 d_nn across) to 8 (largest, about 18 d_nn); see :data:`CATALOGUE`.
    d_nn : override the nearest-neighbour distance (Å), e.g. to strain the lattice.

    Returns
    -------
    ase.Atoms centred on the origin (centre of mass), without periodic boundaries.
    Geometries are built once per (type, size) and scaled by ``d_nn``, so
    repeated calls are cheap.
    """
    size = _check_type_and_size(structure_type, size)
    if d_nn is None:
        d = nearest_neighbour_distance(element)
    else:
        d = check_scalar(d_nn, "d_nn", min_val=0.0, include_boundaries="neither", unit="Å")
        nearest_neighbour_distance(element)  # validates the symbol
    pos = unit_positions(structure_type, size) * d
    return Atoms(element + str(len(pos)), positions=pos)


def diameter(atoms: Atoms) -> float:
    """Largest distance (Å) between two atoms of the particle."""
    from scipy.spatial import ConvexHull, QhullError
    from scipy.spatial.distance import pdist

    pos = atoms.get_positions()
    if len(pos) < 2:
        return 0.0
    try:
        pos = pos[ConvexHull(pos).vertices]  # the farthest pair lies on the hull
    except (QhullError, ValueError):  # fewer than 4 atoms, or all in one plane
        pass
    return float(pdist(pos).max())
