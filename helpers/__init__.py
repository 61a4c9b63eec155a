"""Helpers for the *ML for Chemistry* course.

One module per concern; data flows one way::

    structures (ASE particles) -> pdf (G(r), pure physics) -> simulation (the recipe and its parameter table)
        -> generate (writes the dataset) / data (loads it) / measured (measured files) / augment
        -> split, features, instrument, fit, crystal, identify -> notebooks

=================  ===================================================================================
module             what it does
=================  ===================================================================================
``structures``     the seven structure types, eight sizes each, built with ASE
``pdf``            the X-ray PDF G(r) of a particle (DiffPy conventions; delta2, small-angle baseline)
``simulation``     how a PDF of the dataset is made: the one parameter table and the recipe
``generate``       ``python -m helpers.generate`` (``make data``): the dataset file, byte-identical
``data``           the dataset's format and loading: ``load_pdfs``, ``to_xy``, ``R_GRID``
``measured``       measured PDF files read once (``read_pdf``: PDFgetX2/X3, xPDFsuite, PDFgui, .fgr), the shipped files
``augment``        experiment-like PDFs by re-simulation (session 4)
``split``          60-20-20 splits with the test set in a ``Vault``
``features``       features read off a PDF: the first-peak position d1, the reduced distance r/d1
``optim``          mini-batch Adam for the numpy networks of session 3
``autodiff``       dual numbers: forward accumulation through any numpy code (session 3)
``instrument``     the validated instrument parameters of a fit (Qmin, Qmax, Qdamp, Qbroad; calibration)
``fit``            one candidate particle fitted to a measured G(r) (scale, d_nn, Biso, Qdamp, delta2; Rw, esd's)
``crystal``        a lattice × spherical envelope (PDFfit2/PDFgui ``spdiameter``), refined with esd's
``classifier``     identify's classifier: trained once (``make data``), stored as plain arrays
``identify``       classify a measured PDF, then verify by fitting (``python -m helpers.identify``)
``series``         identify a series of files: one row per file, in parallel (joblib; Dask optional)
``files``          atomic writes and checksums
``cache``          plain-array files (.npz + JSON, never pickle) and the user's cache folder
``geometries``     the catalogue's pair distances, kept in the cache folder
``validation``     ``check_scalar``, the one validator for numbers
``perceptron``,    the engines behind session 2's explorers
``gradient_descent``
``plotting``       the course's plot style and standard figures
``widgets``        the explorers (drawing and reacting only)
``checks``         the self-checks of the exercises and the quizzes
=================  ===================================================================================

Import what you need explicitly, e.g. ``from helpers.data import load_pdfs``.
"""

__version__ = "0.1.0"
