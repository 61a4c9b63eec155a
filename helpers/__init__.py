"""Helpers for the *ML for Chemistry* course.

One module per concern; data flows one way::

    structures (ASE atoms) -> pdf (G(r), pure physics) -> data (dataset, load_gr) -> split -> notebooks

``perceptron`` and ``gradient_descent`` compute what session 2's explorers show;
``plotting``, ``widgets`` (drawing only) and ``checks`` serve the notebooks.  Import what you
need explicitly, e.g. ``from helpers.data import load_pdfs``.
"""

__version__ = "0.1.0"
