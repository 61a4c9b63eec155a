"""Time the redraw of each ipywidgets explorer of the course (moving a slider → new figure PNG).

A student moving a slider should see the new figure at once; the goal is a
redraw (computation and PNG rendering, in the kernel) under 0.2 s.  For each
explorer this prints the median and the slowest of several slider moves, in
CPU seconds of this process (so other programs on a busy machine do not
distort it) and in wall seconds, and PASS/FAIL against the goal.

* PDF explorer: Qmax and Biso moves on the largest particle of three
  structure types (up to ~900 atoms), simulated and drawn anew at every move;
* perceptron stepper: jumps of the "update #" slider on 60 separable 2-D
  points, as in session 2;
* learning-rate explorer: learning rates from converging to diverging.

Usage: ``python benchmarks/widget_redraw_time.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import matplotlib
import numpy as np

matplotlib.use("Agg")

from helpers.plotting import use_course_style
from helpers.structures import SIZES
from helpers.widgets.gradient_descent import learning_rate_widget
from helpers.widgets.pdf_explorer import pdf_explorer_widget
from helpers.widgets.perceptron import perceptron_stepper_widget

GOAL_SECONDS = 0.2


def timed(moves, repeat: int) -> tuple[list[float], list[float]]:
    """CPU and wall seconds of each move, ``repeat`` times over; a move is a callable or a pair
    (set-up, move) whose set-up is not timed."""
    cpu, wall = [], []
    for _ in range(repeat):
        for move in moves:
            if isinstance(move, tuple):
                move[0]()
                move = move[1]
            c0, w0 = time.process_time(), time.perf_counter()
            move()
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    return cpu, wall


def pdf_explorer_moves():
    """Moves of the Qmax and Biso sliders on the largest particle of three types (one redraw each)."""
    box = pdf_explorer_widget()
    controls = box.controls
    moves = []
    for stype in ("Icosahedral", "SC", "Decahedral"):

        def choose(stype=stype):  # not timed: choosing the particle (the first move then simulates it)
            controls["structure_type"].value = stype
            controls["size"].value = max(SIZES[stype])

        for name, value in (("qmax", 15.0), ("qmax", 25.0), ("biso", 0.8), ("biso", 0.3)):

            def move(name=name, value=value):
                controls[name].value = value

            moves.append((choose, move))
    return moves


def perceptron_moves():
    """Jumps of the "update #" slider, on 2-D separable data as in session 2 (60 points)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 2))
    X = X[np.abs(X @ [1.0, -0.7] + 0.1) > 0.05][:60]
    y = np.where(X @ [1.0, -0.7] + 0.1 >= 0, 1, -1)
    box = perceptron_stepper_widget(X, y, seed=0)
    last = box.slider.max
    if last < 4:
        raise SystemExit(f"the perceptron converged after {last} updates: choose data that needs more")

    def go(value: int):
        def move():
            box.slider.value = value

        return move

    return [go(v) for v in (1, last // 2, 0, last, 3)]


def learning_rate_moves():
    box = learning_rate_widget()

    def go(rate: float):
        def move():
            box.rate_slider.value = rate

        return move

    return [go(rate) for rate in (0.01, 0.5, 5.0, 1.5, 0.1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of slider moves (default: 3)")
    args = parser.parse_args(argv)
    use_course_style()  # the figure size and dpi of the notebooks
    print(f"{'explorer':<24} {'moves':>5} {'median CPU s':>12} {'max CPU s':>10} {'median wall s':>13}  goal")
    ok = True
    for name, make in (
        ("PDF explorer", pdf_explorer_moves),
        ("perceptron stepper", perceptron_moves),
        ("learning-rate explorer", learning_rate_moves),
    ):
        moves = make()
        timed(moves[:1], 1)  # warm-up: first-use imports and caches
        cpu, wall = timed(moves, args.repeat)
        median = statistics.median(cpu)
        passed = median < GOAL_SECONDS
        ok &= passed
        print(
            f"{name:<24} {len(cpu):>5} {median:>12.3f} {max(cpu):>10.3f} {statistics.median(wall):>13.3f}  "
            f"{'PASS' if passed else 'FAIL'} (median < {GOAL_SECONDS} s)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
