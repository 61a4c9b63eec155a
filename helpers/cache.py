"""Files the package computes once and keeps: plain arrays (``.npz``) described by a small JSON, never pickle.

:func:`save_arrays` writes ``NAME.npz`` (byte-reproducible: fixed time stamps) and ``NAME.json`` (the
description, with the sha256 of the ``.npz``; written last).  :func:`load_arrays` reads them back only if
the JSON says they are what is wanted (``expect``) and the ``.npz`` still has its recorded sha256; it reads
them with ``numpy.load(..., allow_pickle=False)``.  :func:`cache_dir` is the user's cache folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

FORMAT = "ml4chem-helpers arrays"


class Stale(Exception):
    """A stored file that is intact but made for other inputs (another dataset, other settings, other code)."""


def cache_dir() -> Path:
    """The user's cache folder for this package: ``$ML4CHEM_CACHE_DIR`` if set, else the platform's
    (platformdirs: ``~/.cache/ml4chem-helpers`` on Linux, ``~/Library/Caches/ml4chem-helpers`` on macOS,
    ``%LOCALAPPDATA%\\ml4chem-helpers\\Cache`` on Windows)."""
    override = os.environ.get("ML4CHEM_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ml4chem-helpers", appauthor=False))


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The arrays as a ``.npz`` file (what ``numpy.savez_compressed`` writes, with fixed time stamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            array = io.BytesIO()
            np.lib.format.write_array(array, arrays[name], allow_pickle=False)  # C or Fortran order kept
            zf.writestr(info, array.getvalue())
    return buf.getvalue()


def save_arrays(npz, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    """Write ``arrays`` to ``npz`` and ``meta`` (plus format and the npz's sha256) to the JSON beside it."""
    from helpers.files import atomic_write_bytes

    npz = Path(npz)
    data = npz_bytes(arrays)
    meta = {"format": FORMAT, **meta, "npz_sha256": hashlib.sha256(data).hexdigest()}
    atomic_write_bytes(npz, data)
    atomic_write_bytes(
        npz.with_suffix(".json"), (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode("utf-8")
    )
    return npz


def load_arrays(npz, expect: dict) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays of ``npz`` and its JSON description, if the JSON has every item of ``expect``.

    Raises :class:`Stale` if an item of ``expect`` differs (the file is for other inputs), ValueError
    naming the file if it is damaged, changed or not one of this package's.  Nothing is unpickled.
    """
    npz = Path(npz)
    meta_path = npz.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{meta_path}: not readable as the JSON description of {npz.name} ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{meta_path}: not a file of ml4chem-helpers (no format {FORMAT!r})")
    for key, value in expect.items():
        if meta.get(key) != value:
            raise Stale(f"{npz}: made for another {key}")
    try:
        data = npz.read_bytes()
    except OSError as exc:
        raise ValueError(f"{npz}: cannot be read ({exc})") from None
    if hashlib.sha256(data).hexdigest() != meta.get("npz_sha256"):
        raise ValueError(
            f"{npz}: its sha256 is not the one {meta_path.name} records: the file is damaged or was changed"
        )
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"{npz}: not a readable .npz file of plain arrays ({exc})") from None
    return arrays, meta
