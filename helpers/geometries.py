"""The catalogue's distinct pair distances, computed once and kept in the user's cache folder.

Every fit of :mod:`helpers.identify` and every row of ``make data`` starts from the distinct pair
distances of a catalogue particle (:func:`helpers.simulation.geometry`).  Computing them for all 56
particles takes about 1.6 s (53 million pairs), more than the rest of a fresh ``identify``; stored, they
load in milliseconds.  They are stored as plain arrays (``geometries.npz`` + ``geometries.json``,
:mod:`helpers.cache`) under a key made of the source code that builds them (``helpers/structures.py``,
``helpers/pdf.py``) and the versions of ASE, numpy and scipy: any change there computes them again.
The stored arrays are the computed ones bit for bit, so nothing downstream changes.
"""

from __future__ import annotations

import hashlib
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

STEM = "geometries"


def key() -> str:
    """sha256 of what the distances depend on: the code that builds the particles, the libraries' versions."""
    import ase
    import scipy

    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("structures.py", "pdf.py"):
        h.update((here / name).read_bytes())
    h.update(f"ase {ase.__version__} numpy {np.__version__} scipy {scipy.__version__}".encode())
    return h.hexdigest()


def compute() -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
    """The distinct distances and multiplicities of every catalogue particle (d_nn = 1)."""
    from helpers.simulation import _distinct_distances
    from helpers.structures import SIZES, STRUCTURE_TYPES

    return {(t, s): _distinct_distances(t, s) for t in STRUCTURE_TYPES for s in SIZES[t]}


_LOCK = threading.Lock()  # the fits call geometry() from two threads: compute once


def stored() -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
    """The catalogue's distances from the cache folder; computed and written there if missing or stale.

    A damaged or foreign file is not loaded (a warning says so) and is replaced.  If the cache folder
    cannot be written, the distances are computed in memory (nothing is lost but time).
    """
    with _LOCK:
        return _stored()


@lru_cache(maxsize=1)
def _stored() -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
    from helpers.cache import Stale, cache_dir, load_arrays, save_arrays

    path = cache_dir() / f"{STEM}.npz"
    expect = {"kind": "helpers.simulation catalogue distances", "key": key()}
    if path.is_file() or path.with_suffix(".json").is_file():
        try:
            arrays, _ = load_arrays(path, expect)
            return _unpack(arrays)
        except Stale:
            pass
        except (OSError, ValueError, KeyError) as exc:
            warnings.warn(f"{exc}; it was not loaded, computed again instead", UserWarning, stacklevel=2)
    found = compute()
    arrays = {}
    for (t, s), (d, w) in found.items():
        arrays[f"{t}_{s}_distances"], arrays[f"{t}_{s}_weights"] = d, w
    try:
        save_arrays(path, arrays, expect)
    except OSError:
        pass
    return found


def _unpack(arrays: dict) -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
    from helpers.structures import SIZES, STRUCTURE_TYPES

    out = {}
    for t in STRUCTURE_TYPES:
        for s in SIZES[t]:
            d, w = arrays[f"{t}_{s}_distances"], arrays[f"{t}_{s}_weights"]
            if not (d.dtype == w.dtype == np.float64 and d.ndim == 1 and d.shape == w.shape and d.size):
                raise ValueError(
                    f"stored distances of {t} size {s} are not two float64 vectors of one length"
                )
            out[(t, s)] = (d, w)
    return out
