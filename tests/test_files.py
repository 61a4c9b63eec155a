"""helpers.files: atomic writes (never a half-written file) and checksums."""

from __future__ import annotations

import hashlib
import os

import pytest

from helpers.files import atomic_write_bytes, sha256_file


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]
    assert sha256_file(target) == hashlib.sha256(b"new").hexdigest()


def test_atomic_write_makes_the_folder(tmp_path):
    atomic_write_bytes(tmp_path / "a" / "b" / "f.txt", b"x")
    assert (tmp_path / "a" / "b" / "f.txt").read_bytes() == b"x"


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch, broken):
    target = tmp_path / "pdfs.csv.gz"
    target.write_bytes(b"old content")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, broken, boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new content")
    monkeypatch.undo()
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["pdfs.csv.gz"]
