"""The classifier of :mod:`helpers.identify`: trained once, stored as plain arrays, loaded in milliseconds.

An ensemble of :data:`SETTINGS` ``["n_models"]`` PCA + MLP classifiers (scikit-learn) on G(r)/max|G|
from 1 to 20 Å, trained on the shipped dataset (clean and experimental rows); the mean of their
probabilities is reported, and the 95th percentile of the predictive entropy on held-out rows becomes
the threshold above which an input counts as unfamiliar.

Stored, never pickled
---------------------
The trained ensemble is two files next to each other:

* ``classifier.npz``: the weights as plain float64 arrays (for member k: ``pca_mean_k``,
  ``pca_components_k``, ``coef0_k``, ``intercept0_k``, ``coef1_k``, ``intercept1_k``), read with
  ``numpy.load(..., allow_pickle=False)``;
* ``classifier.json``: the settings it was trained with, the class names, the entropy threshold, the
  sha256 of the dataset it was trained on and of the ``.npz`` file, and the versions used.

Predictions are the network's forward pass in numpy (PCA projection, ReLU, softmax: the operations of
scikit-learn's ``predict_proba``, in the same order, so the probabilities are the same bit for bit);
scikit-learn is imported only to train.

Where the model comes from (:func:`classifier`):

1. ``data/classifier.npz`` next to ``data/pdfs.csv.gz`` (``make data`` writes it; it ships in the wheel);
2. else a copy in the user's cache folder (:func:`cache_dir`, e.g. ``~/.cache/ml4chem-helpers``; the
   environment variable ``ML4CHEM_CACHE_DIR`` overrides it);
3. else it is trained (about 4 s on 2 cores, deterministic: BLAS is held to one thread, so the weights
   are the same bit for bit on every run) and written to the cache.

A stored model whose dataset checksum or settings differ from the current ones is silently replaced
(retrained); a damaged, changed or foreign file is refused with a warning naming it
(:class:`ModelFileWarning`) and never loaded.
"""

from __future__ import annotations

import math
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

from helpers.cache import Stale, cache_dir, load_arrays, save_arrays
from helpers.data import DATA_DIR, DATASET_FILE, MEASURED_R_MAX
from helpers.structures import STRUCTURE_TYPES

__all__ = ["Classifier", "ModelFileWarning", "cache_dir", "classifier", "entropy", "load_or_train", "train"]

MODEL_FILE = "classifier.npz"
"""The weights; :data:`META_FILE` beside it describes them."""

META_FILE = "classifier.json"

KIND = "helpers.identify classifier"
FORMAT_VERSION = 1

SETTINGS = {
    "n_models": 5,  # classifiers in the ensemble (their mean probability is reported)
    "pca_components": 30,
    "hidden": 32,  # one hidden layer of ReLU units
    "learning_rate_init": 0.03,
    "tol": 1e-3,
    "max_iter": 2000,
    "split": [0.8, 0.1, 0.1],  # train / held out (entropy threshold) / unused, by whole particles
    "split_seed": 0,
    "r_max": MEASURED_R_MAX,  # Å: the classifier's window is 1 Å to r_max
    "entropy_quantile": 0.95,
}
"""How the ensemble is trained; a stored model trained with other settings is retrained."""

_LAYERS = ("pca_mean", "pca_components", "coef0", "intercept0", "coef1", "intercept1")


class ModelFileWarning(UserWarning):
    """A stored classifier file was damaged, changed or not one of ours: it was not loaded."""


def entropy(p: np.ndarray) -> np.ndarray:
    """Predictive entropy -Σ p ln p (nats) of each row of probabilities; ln 7 = 1.95 means "no idea"."""
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1.0)
    return -np.sum(p * np.log(p), axis=-1)


class Classifier:
    """The ensemble as arrays: :meth:`probabilities` is its forward pass in numpy."""

    def __init__(self, weights: dict[str, np.ndarray], classes, entropy_threshold: float, meta=None):
        self.weights = weights
        self.classes = tuple(str(c) for c in classes)
        self.entropy_threshold = float(entropy_threshold)
        self.meta = dict(meta or {})
        self.n_models = len([k for k in weights if k.startswith("coef0_")])
        self._order = [self.classes.index(t) for t in STRUCTURE_TYPES]

    def member_probabilities(self, x: np.ndarray, k: int) -> np.ndarray:
        """Probabilities of member ``k`` (columns in :attr:`classes` order), as scikit-learn computes them."""
        w = self.weights
        # Fortran order: components.T is then C-contiguous, the BLAS call scikit-learn's transform makes
        components = np.asfortranarray(w[f"pca_components_{k}"])
        a = x @ components.T  # PCA.transform: project, then subtract the projected mean
        a -= w[f"pca_mean_{k}"].reshape(1, -1) @ components.T
        a = a @ w[f"coef0_{k}"]
        a += w[f"intercept0_{k}"]
        np.maximum(a, 0, out=a)  # ReLU
        a = a @ w[f"coef1_{k}"]
        a += w[f"intercept1_{k}"]
        tmp = a - a.max(axis=1)[:, np.newaxis]  # softmax
        np.exp(tmp, out=a)
        a /= a.sum(axis=1)[:, np.newaxis]
        return a

    def probabilities(self, x) -> np.ndarray:
        """Mean predicted probabilities (rows of ``x``; columns in :data:`STRUCTURE_TYPES` order)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        p = np.mean([self.member_probabilities(x, k) for k in range(self.n_models)], axis=0)
        return p[:, self._order]


# --------------------------------------------------------------------------- training


def available_cores() -> int:
    """The cores this process may use (CPU affinity and container quotas counted, via joblib)."""
    from joblib import cpu_count

    return max(1, int(cpu_count()))


def train(df=None, settings: dict | None = None, *, dataset_sha256: str = "") -> Classifier:
    """Train the ensemble on ``df`` (default: the shipped dataset), deterministically.

    BLAS is held to one thread while training (threadpoolctl): the weights are then the same bit for
    bit on every run, and the members, trained two at a time in threads, do not oversubscribe the cores.
    """
    from sklearn.decomposition import PCA
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    from helpers.data import load_pdfs, to_xy
    from helpers.split import train_val_test_split

    s = dict(SETTINGS if settings is None else settings)
    df = load_pdfs() if df is None else df
    train_rows, held_out, _ = train_val_test_split(df, sizes=tuple(s["split"]), random_state=s["split_seed"])
    X, y = to_xy(train_rows, r_max=s["r_max"])

    def member(seed: int):
        mlp = MLPClassifier(
            (s["hidden"],),
            batch_size=len(X),
            learning_rate_init=s["learning_rate_init"],
            tol=s["tol"],
            max_iter=s["max_iter"],
            random_state=seed,
        )
        return make_pipeline(PCA(n_components=s["pca_components"], random_state=0), mlp).fit(X, y)

    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # ConvergenceWarning of a capped test run
        with ThreadPoolExecutor(min(2, available_cores())) as pool:  # matrix products release the GIL
            models = list(pool.map(member, range(s["n_models"])))
        weights = {}
        for k, model in enumerate(models):
            pca, mlp = model[0], model[-1]
            arrays = (pca.mean_, np.asfortranarray(pca.components_), *mlp.coefs_[:1], *mlp.intercepts_[:1])
            arrays += (mlp.coefs_[1], mlp.intercepts_[1])
            for name, a in zip(_LAYERS, arrays):
                weights[f"{name}_{k}"] = np.asarray(a, dtype=np.float64)
        ensemble = Classifier(weights, models[0].classes_, 0.0)
        h = entropy(ensemble.probabilities(to_xy(held_out, r_max=s["r_max"])[0]))
    threshold = float(np.quantile(h, s["entropy_quantile"]))
    meta = {"settings": s, "dataset_sha256": dataset_sha256}
    return Classifier(weights, ensemble.classes, threshold, meta)


# --------------------------------------------------------------------------- storing and loading


def save(clf: Classifier, folder) -> Path:
    """Write ``clf`` as ``folder/classifier.npz`` + ``classifier.json`` (atomically; the JSON last)."""
    from sklearn import __version__ as sklearn_version

    meta = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "settings": clf.meta.get("settings", SETTINGS),
        "classes": list(clf.classes),
        "entropy_threshold": clf.entropy_threshold,
        "dataset_sha256": clf.meta.get("dataset_sha256", ""),
        "trained_with": {
            "scikit-learn": sklearn_version,
            "numpy": np.__version__,
            "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        },
    }
    return save_arrays(Path(folder) / MODEL_FILE, clf.weights, meta)


def load(npz, *, dataset_sha256: str, settings: dict | None = None) -> Classifier:
    """The classifier stored in ``npz`` (and the JSON beside it), checked before anything is used.

    Raises :class:`helpers.cache.Stale` if it was trained on another dataset or with other settings,
    ValueError naming the file if it is damaged, changed or not a classifier file of this package.
    Nothing is unpickled.
    """
    expect = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "settings": SETTINGS if settings is None else settings,
        "dataset_sha256": dataset_sha256,
    }
    weights, meta = load_arrays(npz, expect)
    classes = meta.get("classes")
    _check_weights(Path(npz), weights, classes, meta)
    return Classifier(weights, classes, meta["entropy_threshold"], meta)


def _check_weights(npz: Path, weights: dict, classes, meta: dict) -> None:
    s = meta["settings"]
    n, c, h = s["n_models"], s["pca_components"], s["hidden"]
    if not (isinstance(classes, list) and sorted(classes) == sorted(STRUCTURE_TYPES)):
        raise ValueError(f"{npz}: its classes {classes!r} are not the seven structure types")
    threshold = meta.get("entropy_threshold")
    if not (isinstance(threshold, float) and math.isfinite(threshold)):
        raise ValueError(f"{npz}: no valid entropy threshold in its JSON")
    expected = {f"{name}_{k}" for name in _LAYERS for k in range(n)}
    if set(weights) != expected:
        raise ValueError(f"{npz}: holds arrays {sorted(weights)}, expected {sorted(expected)}")
    for k in range(n):
        mean = weights[f"pca_mean_{k}"]
        f = mean.shape[0] if mean.ndim == 1 else -1
        shapes = {
            "pca_mean": (f,), "pca_components": (c, f), "coef0": (c, h), "intercept0": (h,),
            "coef1": (h, len(classes)), "intercept1": (len(classes),),
        }  # fmt: skip
        for name, shape in shapes.items():
            a = weights[f"{name}_{k}"]
            if a.dtype != np.float64 or a.shape != shape or not np.isfinite(a).all():
                raise ValueError(
                    f"{npz}: array {name}_{k} is {a.dtype} {a.shape}, expected finite float64 {shape}"
                )


# --------------------------------------------------------------------------- where the model lives


def load_or_train(
    dataset=None, *, folders=None, settings: dict | None = None, verbose: bool = True
) -> Classifier:
    """The classifier for ``dataset`` (default: the shipped ``data/pdfs.csv.gz``): loaded if stored, else trained.

    ``folders`` are looked in, in order (default: the dataset's folder, then :func:`cache_dir`); a newly
    trained model is written to the last of them.  A damaged or foreign file is reported
    (:class:`ModelFileWarning`) and replaced, never loaded.
    """
    from helpers.data import load_pdfs
    from helpers.files import sha256_file

    dataset = DATA_DIR / DATASET_FILE if dataset is None else Path(dataset)
    sha = sha256_file(dataset)
    folders = [dataset.parent, cache_dir()] if folders is None else [Path(f) for f in folders]
    for folder in folders:
        npz = folder / MODEL_FILE
        if not npz.is_file() and not npz.with_suffix(".json").is_file():
            continue
        try:
            return load(npz, dataset_sha256=sha, settings=settings)
        except Stale:
            continue
        except (OSError, ValueError) as exc:
            warnings.warn(
                f"{exc}; it was not loaded, the classifier is trained again instead",
                ModelFileWarning,
                stacklevel=2,
            )
    if verbose:
        print(
            f"training the classifier on {dataset.name} (once; a few seconds)...", file=sys.stderr, flush=True
        )
    clf = train(load_pdfs(path=dataset), settings, dataset_sha256=sha)
    try:
        save(clf, folders[-1])
    except OSError as exc:  # a read-only home: train again next time, but say so
        print(f"note: could not store the classifier in {folders[-1]} ({exc})", file=sys.stderr)
    return clf


@lru_cache(maxsize=1)
def classifier() -> Classifier:
    """The classifier of the shipped dataset, loaded (or trained) once per process (:func:`load_or_train`)."""
    return load_or_train()
