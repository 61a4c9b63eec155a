"""A series of measured PDF files identified in one go: one row per file, in parallel, resumable.

An in-situ synthesis or a temperature ramp gives hundreds of frames.  :func:`identify_series` runs
:func:`helpers.identify.identify` on every file and returns one table, one row per file in the order
given, with the columns :data:`COLUMNS`:

``file``, ``status`` (``ok``, ``error`` or ``not run``), the best structure type and its Rw, the
runner-up and its Rw, the particle's diameter and lattice parameters ``a`` and ``c`` (Å) with their
esd's, the number of warnings, the ``error`` message of a file that could not be identified, and the
file's ``sha256``.

* A bad file is reported in its row and skipped: it never ends the run.
* ``jobs`` processes (joblib's loky backend) work on the files; each loads the classifier once and holds
  BLAS to one thread (threadpoolctl), so N processes use N cores, not N x the BLAS threads.  The table is
  the same as a serial run's (the fits are deterministic and do not depend on the threads).
* With ``out``, the table is written as CSV atomically (a temporary file, then :func:`os.replace`) every
  few seconds and at the end, also when the run is interrupted (Ctrl+C; on the command line also
  SIGTERM, as a batch system sends at the end of an allocation; the files not yet done are marked
  ``not run``): there is never a half-written CSV.  ``resume=True`` keeps the rows of an existing ``out``
  that are ``ok`` for the same file with the same content (path and sha256) and runs only the others.
* A progress bar (tqdm) on a terminal; quiet otherwise.
* Beyond one machine: inside ``joblib.parallel_config(backend="dask")`` (with a ``dask.distributed``
  ``Client`` connected to a cluster) the files are spread over the cluster's workers; from the command
  line ``--scheduler ADDRESS`` does this.  Dask is an optional extra (``pip install -e ".[dask]"``); the
  workers must have this package installed and see the files under the same paths.

Command line (several files, or any of ``--jobs``, ``--out``, ``--resume``, ``--scheduler``)::

    python -m helpers.identify frames/*.gr --jobs 2 --out results.csv [--resume]
    python -m helpers.identify frames/*.gr --scheduler tcp://10.0.0.5:8786 --out results.csv
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

SUMMARY_KEYS = [
    "best",
    "rw",
    "runner_up",
    "runner_up_rw",
    "diameter",
    "diameter_esd",
    "a",
    "a_esd",
    "c",
    "c_esd",
    "n_warnings",
]
"""The keys of ``Identification.summary()``: one row of the series table per file."""

COLUMNS = ["file", "status", *SUMMARY_KEYS, "error", "sha256"]
"""The columns of the table :func:`identify_series` returns (lengths in Å)."""

SAVE_EVERY = 5.0
"""Seconds between two writes of the CSV while a series runs (and once at the end)."""


# --------------------------------------------------------------------------- one file


def sha256_of(path) -> str:
    """Hex sha256 of a file's content ('' if it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _empty_row(file: str, status: str, error: str = "", sha256: str = "") -> dict:
    row = dict.fromkeys(COLUMNS, math.nan)
    row.update(file=file, status=status, best="", runner_up="", error=error, sha256=sha256)
    return row


def identify_one(path, *, options: dict | None = None, workers: int = 1, plot=None) -> dict:
    """One row of the series table for the file ``path``: never raises for a bad file (it is reported).

    ``options`` go to :func:`helpers.identify.identify` (qmax, qmin, rmax, qdamp, qbroad); ``workers`` threads fit
    (1 when processes already fill the cores).  BLAS is held to one thread meanwhile.
    """
    from threadpoolctl import threadpool_limits

    from helpers.identify import identify

    file = str(path)
    sha = sha256_of(path)
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            result = identify(path, workers=workers, **(options or {}))
            row = _empty_row(file, "ok", sha256=sha) | result.summary()
            if plot is not None:
                _plot(result, Path(plot), file)
    except Exception as exc:  # noqa: BLE001 - a bad file: reported in its row, the series goes on
        message = str(exc).strip() or type(exc).__name__
        if not isinstance(exc, (ValueError, OSError, TypeError)):
            message = f"{type(exc).__name__}: {message}"
        return _empty_row(file, "error", message.replace("\n", " "), sha)
    return row


def _plot(result, plot: Path, file: str) -> None:
    import io

    from helpers.identify import _save_plot

    with contextlib.redirect_stdout(io.StringIO()):
        _save_plot(result, plot.with_stem(f"{plot.stem}_{Path(file).stem}"))


# --------------------------------------------------------------------------- a series


def read_table(path) -> pd.DataFrame:
    """A series table written by :func:`identify_series` (``out``), with its column types."""
    table = pd.read_csv(path, dtype={"file": str, "status": str, "best": str, "runner_up": str, "error": str,
                                     "sha256": str}, keep_default_na=False, na_values={
        c: ["", "nan", "NaN"] for c in COLUMNS if c not in ("file", "status", "best", "runner_up", "error", "sha256")
    })  # fmt: skip
    if list(table.columns) != COLUMNS:
        raise ValueError(f"{path}: not a series table of helpers.identify (columns {list(table.columns)})")
    return table


def _as_table(rows: Sequence[dict]) -> pd.DataFrame:
    table = pd.DataFrame(list(rows), columns=COLUMNS)
    table["n_warnings"] = table["n_warnings"].astype("Int64")
    return table


def write_table(table: pd.DataFrame, path) -> None:
    """Write a series table as CSV, atomically (never half-written)."""
    from helpers.files import atomic_write_bytes

    atomic_write_bytes(path, table.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def identify_series(
    files: Iterable,
    *,
    jobs: int | None = 1,
    out=None,
    resume: bool = False,
    progress: bool | None = None,
    qmax: float | None = None,
    qmin: float | None = None,
    rmax: float | None = None,
    qdamp: float | None = None,
    qbroad: float | None = None,
    plot=None,
) -> pd.DataFrame:
    """Identify every file of ``files``: one row per file, in the order given (columns :data:`COLUMNS`).

    Parameters
    ----------
    files : paths of measured PDF files.
    jobs : processes working on the files (joblib, loky backend); ``-1`` or ``0``: all the cores this
        process may use; ``None``: as the active ``joblib.parallel_config`` says (e.g. the dask backend).
        More jobs than available cores are reduced to the cores.
    out : CSV file the table is written to (atomically, every :data:`SAVE_EVERY` s and at the end, also
        on an interrupt).
    resume : keep the rows of an existing ``out`` that are ``ok`` for the same file and content.
    progress : a tqdm progress bar; default: only when stderr is a terminal.
    qmax, qmin, rmax, qdamp, qbroad : as in :func:`helpers.identify.identify`, for every file.
    plot : save each file's fit figure as ``<plot stem>_<file stem><suffix>``.

    A file that cannot be identified gets ``status == "error"`` and its ``error`` message; the others
    are not affected.
    """
    from joblib import Parallel, delayed
    from joblib.parallel import get_active_backend

    from helpers.classifier import available_cores, classifier

    files = [str(f) for f in files]
    given = {"qmax": qmax, "qmin": qmin, "rmax": rmax, "qdamp": qdamp, "qbroad": qbroad}
    options = {k: v for k, v in given.items() if v is not None}
    rows: list[dict] = [_empty_row(f, "not run") for f in files]
    done = _resumed(files, out) if resume and out is not None else {}
    for i, row in done.items():
        rows[i] = row
    todo = [i for i in range(len(files)) if i not in done]

    backend, _ = get_active_backend()
    configured = type(backend).__name__ not in ("LokyBackend", "SequentialBackend")  # e.g. dask
    n_jobs = jobs
    if jobs is not None and jobs <= 0:
        n_jobs = available_cores()
    if not configured:  # loky processes: no more than the cores this process may use, nor the files
        n_jobs = max(1, min(n_jobs or 1, available_cores(), len(todo) or 1))
    if todo:
        classifier()  # trained and cached here once if needed, before any worker looks for it
    workers = 1  # threads per file: the fits hold the GIL, so the cores are used by processes (jobs)
    show = sys.stderr.isatty() if progress is None else progress
    last_save = time.monotonic()
    try:
        if todo:
            from tqdm.auto import tqdm

            with tqdm(
                total=len(files), initial=len(done), unit="file", disable=not show, desc="identify"
            ) as bar:
                tasks = (delayed(_indexed)(i, files[i], options, workers, plot) for i in todo)
                parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
                for i, row in parallel(tasks):
                    rows[i] = row
                    bar.update()
                    if out is not None and time.monotonic() - last_save > SAVE_EVERY:
                        write_table(_as_table(rows), out)
                        last_save = time.monotonic()
    finally:  # also on Ctrl+C: what is finished is kept, the rest is marked "not run"
        table = _as_table(rows)
        if out is not None:
            write_table(table, out)
    return table


def _indexed(i: int, file: str, options: dict, workers: int, plot) -> tuple[int, dict]:
    return i, identify_one(file, options=options, workers=workers, plot=plot)


def _resumed(files: list[str], out) -> dict[int, dict]:
    """Rows of an existing ``out`` that are ``ok`` for the same file path and content: {index: row}."""
    out = Path(out)
    if not out.is_file():
        return {}
    old = read_table(out)
    ok = {
        (r["file"], r["sha256"]): {k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
        for r in old.to_dict("records")
        if r["status"] == "ok"
    }
    found = {}
    for i, f in enumerate(files):
        key = (f, sha256_of(f))
        if key in ok:
            found[i] = ok[key]
    return found


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The series options of ``python -m helpers.identify``."""
    group = parser.add_argument_group("a series of files (one row per file; see helpers/series.py)")
    group.add_argument(
        "--jobs", type=int, help="files identified in parallel (processes; 0: all available cores; default 1)"
    )
    group.add_argument(
        "--out", type=Path, help="write the table as CSV here (atomically, also when interrupted)"
    )
    group.add_argument(
        "--resume",
        action="store_true",
        help="keep the rows of --out that are ok for unchanged files; run the rest",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster (e.g. tcp://host:8786; needs the dask extra: pip install -e '.[dask]')",
    )


def wanted(args: argparse.Namespace) -> bool:
    """Whether the command line asks for a series (several files, or a series option)."""
    return len(args.files) > 1 or any(
        getattr(args, k, None) not in (None, False) for k in ("jobs", "out", "resume", "scheduler")
    )


def run(args: argparse.Namespace) -> int:
    """Run the series the command line asks for; prints the table. Exit status 1 if a file failed."""
    if args.resume and args.out is None:
        print("error: --resume needs --out (the table to resume)", file=sys.stderr)
        return 2
    kwargs = {"out": args.out, "resume": args.resume, "plot": args.plot}
    kwargs |= {"qmax": args.qmax, "qmin": args.qmin, "rmax": args.rmax}
    kwargs |= {"qdamp": getattr(args, "qdamp", None), "qbroad": getattr(args, "qbroad", None)}
    try:
        if args.scheduler:
            try:
                from dask.distributed import Client
                from joblib import parallel_config
            except ImportError:
                print(
                    "error: --scheduler needs dask and distributed: pip install -e '.[dask]'", file=sys.stderr
                )
                return 2
            with _terminate_like_ctrl_c(), Client(args.scheduler) as client, parallel_config(backend="dask"):
                print(
                    f"Dask cluster {args.scheduler}: {len(client.scheduler_info()['workers'])} workers",
                    file=sys.stderr,
                )
                table = identify_series(args.files, jobs=args.jobs or -1, **kwargs)
        else:
            with _terminate_like_ctrl_c():
                table = identify_series(args.files, jobs=args.jobs or 1, **kwargs)
    except KeyboardInterrupt:
        where = f"; the finished rows are in {args.out}: add --resume to go on" if args.out else ""
        print(f"interrupted{where}", file=sys.stderr)
        return 130
    print(format_series(table))
    n_bad = int((table["status"] != "ok").sum())
    if args.out is not None:
        print(f"table: {args.out}")
    return 1 if n_bad else 0


@contextlib.contextmanager
def _terminate_like_ctrl_c():
    """While inside, a batch system's SIGTERM (end of an allocation, ``kill``) ends the run as Ctrl+C does:
    the finished rows are written and the rest marked ``not run``, so ``--resume`` goes on from there."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave the default
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def format_series(table: pd.DataFrame) -> str:
    """The series table as text (errors listed below it)."""
    shown = table[
        ["file", "status", "best", "rw", "runner_up", "runner_up_rw", "diameter", "a", "n_warnings"]
    ]
    shown = shown.assign(file=[Path(f).name for f in shown["file"]])
    text = shown.to_string(
        index=False,
        na_rep="",
        formatters={"rw": "{:.3f}".format, "runner_up_rw": "{:.3f}".format, "diameter": "{:.1f}".format,
                    "a": "{:.4f}".format},
    )  # fmt: skip
    errors = [f"{Path(r.file).name}: {r.error}" for r in table.itertuples() if r.status == "error"]
    ok = int((table["status"] == "ok").sum())
    lines = [text, f"{ok} of {len(table)} files identified" + (f", {len(errors)} failed:" if errors else "")]
    return "\n".join(lines + [f"  {e}" for e in errors])


if __name__ == "__main__":  # pragma: no cover
    from helpers.identify import main

    sys.exit(main())
