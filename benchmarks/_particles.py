"""Particles of about 100, 500 and 2000 atoms of every structure type, for the simulator benchmarks.

The course's catalogue (helpers.structures) has sizes by diameter; the benchmarks compare simulators at
fixed atom counts, so they build their particles directly with ASE (the same builders and lattice
constants as the catalogue: nearest-neighbour distance d_nn).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.cluster import BodyCenteredCubic, Decahedron, FaceCenteredCubic, Icosahedron, Octahedron, SimpleCubic

from helpers.structures import Shape, build_positions, nearest_neighbour_distance

_FCC_A, _BCC_A = np.sqrt(2.0), 2.0 / np.sqrt(3.0)
_CUBIC = [(1, 0, 0), (1, 1, 0), (1, 1, 1)]


BUILDERS = {  # (about 100, 500, 2000 atoms) for d_nn = 1
    "SC": [lambda n=n: SimpleCubic("Cu", _CUBIC, [n] * 3, latticeconstant=1.0).positions for n in (4, 7, 11)],
    "FCC": [lambda n=n: FaceCenteredCubic("Cu", _CUBIC, [n] * 3, latticeconstant=_FCC_A).positions for n in (4, 7, 12)],
    "BCC": [lambda n=n: BodyCenteredCubic("Cu", _CUBIC, [n] * 3, latticeconstant=_BCC_A).positions for n in (6, 11, 18)],
    "HCP": [lambda s=s: build_positions(Shape("sphere", "hcp_sphere", (1.0 + 0.5 * s,))) for s in (3, 7, 12)],
    "Icosahedral": [lambda n=n: Icosahedron("Cu", n, latticeconstant=_FCC_A).positions for n in (4, 6, 9)],
    "Decahedral": [lambda n=n: Decahedron("Cu", n, n, 0, latticeconstant=_FCC_A).positions for n in (4, 6, 9)],
    "Octahedral": [lambda n=n: Octahedron("Cu", n, 0, latticeconstant=_FCC_A).positions for n in (5, 9, 14)],
}  # fmt: skip


def particles(structure_type: str, element: str):
    """The three particles (ase.Atoms of ``element``) of about 100, 500 and 2000 atoms of a type."""
    d_nn = nearest_neighbour_distance(element)
    out = []
    for build in BUILDERS[structure_type]:
        pos = build()
        pos = (pos - pos.mean(axis=0)) * d_nn
        out.append(Atoms([element] * len(pos), positions=pos))
    return out
