"""helpers.series: a series of files gives one row per file; a bad file is reported and the others finish;
--jobs 2 and a Dask LocalCluster give the serial table; the CSV is never half-written; a run resumes."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import series as S
from helpers.identify import main
from helpers.measured import shipped


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Two shipped files with a web page saved as .gr between them."""
    bad = tmp_path_factory.mktemp("series") / "page.gr"
    bad.write_text("<!DOCTYPE html><html><body>not data</body></html>", encoding="utf-8")
    return [str(shipped("JQ_S1.gr").path), str(bad), str(shipped("Au144pMBA.gr").path)]


@pytest.fixture(scope="module")
def serial(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "results.csv"
    return S.identify_series(files, jobs=1, out=out, progress=False), out


def test_a_bad_file_in_the_middle_is_reported_and_the_others_finish(files, serial):
    table, out = serial
    assert list(table.columns) == S.COLUMNS and list(table["file"]) == files
    assert list(table["status"]) == ["ok", "error", "ok"]
    assert "page.gr" in table.loc[1, "error"] and "web page" in table.loc[1, "error"]
    assert table.loc[0, "best"] in ("FCC", "Octahedral") and table.loc[0, "rw"] < 0.25
    assert table.loc[2, "best"] in ("Icosahedral", "Decahedral")
    assert table.loc[0, "a"] == pytest.approx(3.92, abs=0.05)  # Pt
    assert math.isnan(table.loc[1, "rw"]) and table.loc[1, "best"] == ""
    written = S.read_table(out)
    pd.testing.assert_frame_equal(written, table, check_dtype=False)


def test_jobs_2_gives_the_serial_table(files, serial):
    table = S.identify_series(files, jobs=2, progress=False)
    pd.testing.assert_frame_equal(table, serial[0])


def test_the_dask_backend_on_a_local_cluster_gives_the_serial_table(files, serial):
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        table = S.identify_series(files, jobs=None, progress=False)
    pd.testing.assert_frame_equal(table, serial[0])


def _fake_row(path, **kwargs):
    return S._empty_row(str(path), "ok", sha256=S.sha256_of(path)) | {
        "best": "FCC",
        "rw": 0.1,
        "n_warnings": 0,
    }


def test_an_interrupted_run_leaves_a_whole_csv_and_resumes(files, tmp_path, monkeypatch):
    out = tmp_path / "results.csv"
    out.write_text("old content\n", encoding="utf-8")
    calls = []

    def interrupted(path, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return _fake_row(path)

    monkeypatch.setattr(S, "identify_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        S.identify_series(files, jobs=1, out=out, progress=False)
    table = S.read_table(out)  # a whole table: the finished row, the others "not run"
    assert list(table["status"]) == ["ok", "not run", "not run"] and list(table["file"]) == files
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]  # no temporary file left

    calls.clear()
    monkeypatch.setattr(S, "identify_one", lambda path, **kw: calls.append(path) or _fake_row(path))
    table = S.identify_series(files, jobs=1, out=out, resume=True, progress=False)
    assert calls == files[1:]  # the finished file is not run again
    assert list(table["status"]) == ["ok", "ok", "ok"]

    calls.clear()
    S.identify_series(files, jobs=1, out=out, resume=True, progress=False)
    assert calls == []  # everything ok and unchanged
    with open(files[0], encoding="utf-8") as f:
        (tmp_path / "changed.gr").write_text(f.read() + "\n", encoding="utf-8")
    S.identify_series([files[0], str(tmp_path / "changed.gr")], jobs=1, out=out, resume=True, progress=False)
    assert calls == [str(tmp_path / "changed.gr")]  # resumed by path and content


def test_a_failed_write_keeps_the_old_csv(files, tmp_path, monkeypatch):
    out = tmp_path / "results.csv"
    monkeypatch.setattr(S, "identify_one", lambda path, **kw: _fake_row(path))
    S.identify_series(files, jobs=1, out=out, progress=False)
    before = out.read_bytes()

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken)
    with pytest.raises(OSError, match="disk full"):
        S.identify_series(files[:1], jobs=1, out=out, progress=False)
    assert out.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_the_command_line_runs_a_series(files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(S, "identify_one", lambda path, **kw: _fake_row(path))
    out = tmp_path / "t.csv"
    assert main([*files[:1], "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "JQ_S1.gr" in printed and "1 of 1 files identified" in printed and out.is_file()
    assert main(["x.gr", "--resume"]) == 2
    assert "--resume needs --out" in capsys.readouterr().err


def test_the_command_line_reports_failures_with_exit_code_1(files, capsys):
    assert main(files[1:2] + ["--jobs", "1"]) == 1
    printed = capsys.readouterr().out
    assert "0 of 1 files identified, 1 failed" in printed and "page.gr" in printed


def test_jobs_are_sized_from_the_available_cores(monkeypatch):
    seen = {}
    import joblib

    real = joblib.Parallel

    class Spy(real):
        def __init__(self, n_jobs=None, **kwargs):
            seen["n_jobs"] = n_jobs
            super().__init__(n_jobs=1, **kwargs)

    monkeypatch.setattr(joblib, "Parallel", Spy)
    monkeypatch.setattr("helpers.classifier.available_cores", lambda: 2)
    monkeypatch.setattr(S, "identify_one", lambda path, **kw: _fake_row(path))
    paths = [str(shipped(n).path) for n in ("JQ_S1.gr", "JQ_S2.gr", "JQ_S3.gr")]
    S.identify_series(paths, jobs=16, progress=False)
    assert seen["n_jobs"] == 2
    S.identify_series(paths, jobs=0, progress=False)
    assert seen["n_jobs"] == 2


def test_the_command_line_runs_on_a_dask_scheduler(files, tmp_path, monkeypatch, capsys):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(S, "identify_one", lambda path, **kw: _fake_row(path))  # the workers are threads here
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        out = tmp_path / "t.csv"
        assert main([*files, "--scheduler", cluster.scheduler_address, "--out", str(out)]) == 0
    assert "Dask cluster" in capsys.readouterr().err
    assert list(S.read_table(out)["status"]) == ["ok"] * 3


def test_the_command_line_stops_cleanly_on_ctrl_c_or_sigterm(files, tmp_path, monkeypatch, capsys):
    import signal

    def stop(path, **kwargs):
        if path == files[1]:
            signal.raise_signal(signal.SIGTERM)  # as a batch system ending the allocation
        return _fake_row(path)

    monkeypatch.setattr(S, "identify_one", stop)
    out = tmp_path / "t.csv"
    before = signal.getsignal(signal.SIGTERM)
    assert main([*files, "--out", str(out)]) == 130
    assert "add --resume to go on" in capsys.readouterr().err
    assert list(S.read_table(out)["status"]) == ["ok", "not run", "not run"]
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is put back
