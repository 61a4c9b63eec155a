"""helpers.classifier and helpers.cache: the classifier is trained once, stored as plain arrays, loaded in
milliseconds, trained again when the dataset changes, and a damaged, foreign or pickled file is never loaded."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from helpers import cache as C
from helpers import classifier as K
from helpers.data import DATA_DIR, DATASET_FILE, load_pdfs, to_xy
from helpers.files import sha256_file
from helpers.generate import write_dataset

# a quick ensemble for the tests: two members, few iterations
SMALL = K.SETTINGS | {"n_models": 2, "max_iter": 30, "pca_components": 8, "hidden": 8}


@pytest.fixture(scope="module")
def clean():
    return load_pdfs("clean")


@pytest.fixture
def dataset(tmp_path, clean):
    """A small dataset file (the clean rows) in its own folder."""
    return write_dataset(clean, tmp_path / "data" / DATASET_FILE)


@pytest.fixture
def no_pickle(monkeypatch):
    """Any unpickling fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("something was unpickled")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)


@pytest.fixture
def count_training(monkeypatch):
    calls = []
    real = K.train

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(K, "train", counted)
    return calls


def _load(dataset, cache):
    return K.load_or_train(dataset, folders=[dataset.parent, cache], settings=SMALL, verbose=False)


def test_the_cache_is_written_then_reused_then_rebuilt_when_the_dataset_changes(
    dataset, tmp_path, clean, count_training, no_pickle
):
    cache = tmp_path / "cache"
    first = _load(dataset, cache)
    assert len(count_training) == 1
    assert (cache / "classifier.npz").is_file() and (cache / "classifier.json").is_file()
    meta = json.loads((cache / "classifier.json").read_text(encoding="utf-8"))
    assert meta["dataset_sha256"] == sha256_file(dataset) and meta["settings"] == SMALL

    again = _load(dataset, cache)
    assert len(count_training) == 1  # loaded, not trained
    x = to_xy(clean.iloc[::50], r_max=20.0)[0]
    np.testing.assert_array_equal(again.probabilities(x), first.probabilities(x))
    assert again.entropy_threshold == first.entropy_threshold

    write_dataset(clean.iloc[:-7], dataset)  # the dataset changes: its checksum no longer matches
    _load(dataset, cache)
    assert len(count_training) == 2
    meta = json.loads((cache / "classifier.json").read_text(encoding="utf-8"))
    assert meta["dataset_sha256"] == sha256_file(dataset)


def test_other_settings_are_trained_again(dataset, tmp_path, count_training):
    cache = tmp_path / "cache"
    _load(dataset, cache)
    K.load_or_train(dataset, folders=[cache], settings=SMALL | {"max_iter": 31}, verbose=False)
    assert len(count_training) == 2


@pytest.mark.parametrize("damage", ["flip_a_byte", "truncate", "garbage_json", "foreign_json", "swap_arrays"])
def test_a_damaged_or_foreign_file_is_refused_with_a_message_and_trained_again(
    dataset, tmp_path, damage, count_training, no_pickle
):
    cache = tmp_path / "cache"
    _load(dataset, cache)
    npz, meta = cache / "classifier.npz", cache / "classifier.json"
    data = bytearray(npz.read_bytes())
    if damage == "flip_a_byte":
        data[len(data) // 2] ^= 0xFF
        npz.write_bytes(bytes(data))
    elif damage == "truncate":
        npz.write_bytes(bytes(data[:1000]))
    elif damage == "garbage_json":
        meta.write_text("{not json", encoding="utf-8")
    elif damage == "foreign_json":
        meta.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    else:  # other arrays, with a JSON that records their checksum: refused for its contents
        C.save_arrays(npz, {"w": np.zeros(3)}, json.loads(meta.read_text(encoding="utf-8")))
    with pytest.warns(K.ModelFileWarning, match=r"classifier\.(npz|json).*not loaded"):
        clf = _load(dataset, cache)
    assert len(count_training) == 2 and clf.n_models == SMALL["n_models"]
    assert _load(dataset, cache).n_models == SMALL["n_models"]  # the replacement is good
    assert len(count_training) == 2


def test_a_pickled_array_is_never_unpickled(dataset, tmp_path, no_pickle):
    cache = tmp_path / "cache"
    clf = _load(dataset, cache)
    weights = dict(clf.weights)
    weights["coef0_0"] = np.array([object(), "payload"], dtype=object)  # would need pickle to load
    meta = json.loads((cache / "classifier.json").read_text(encoding="utf-8"))
    # np.save of an object array pickles it; written by hand, with a JSON recording its true checksum
    import hashlib
    import io
    import zipfile

    from helpers.files import atomic_write_bytes

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, a in weights.items():
            one = io.BytesIO()
            np.lib.format.write_array(one, a, allow_pickle=True)
            zf.writestr(f"{name}.npy", one.getvalue())
    atomic_write_bytes(cache / "classifier.npz", buf.getvalue())
    meta["npz_sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()
    (cache / "classifier.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable .npz file of plain arrays"):
        K.load(cache / "classifier.npz", dataset_sha256=sha256_file(dataset), settings=SMALL)
    with pytest.warns(K.ModelFileWarning):
        _load(dataset, cache)


def test_training_is_bit_identical_and_the_numpy_forward_pass_is_scikit_learns(clean):
    from sklearn.decomposition import PCA
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    from helpers.split import train_val_test_split

    a, b = K.train(clean, SMALL), K.train(clean, SMALL)
    assert C.npz_bytes(a.weights) == C.npz_bytes(b.weights)
    assert a.entropy_threshold == b.entropy_threshold

    train_rows, _, _ = train_val_test_split(
        clean, sizes=tuple(SMALL["split"]), random_state=SMALL["split_seed"]
    )
    X, y = to_xy(train_rows, r_max=SMALL["r_max"])
    mlp = MLPClassifier(
        (SMALL["hidden"],), batch_size=len(X), learning_rate_init=SMALL["learning_rate_init"], tol=SMALL["tol"],
        max_iter=SMALL["max_iter"], random_state=1,
    )  # fmt: skip
    model = make_pipeline(PCA(n_components=SMALL["pca_components"], random_state=0), mlp)
    with threadpool_limits(limits=1, user_api="blas"):
        with pytest.warns(UserWarning):  # not converged in 30 iterations
            model.fit(X, y)
        x = to_xy(clean.iloc[::7], r_max=20.0)[0]
        np.testing.assert_array_equal(a.member_probabilities(x, 1), model.predict_proba(x))
    p = a.probabilities(x)
    assert p.shape == (len(x), 7) and np.allclose(p.sum(axis=1), 1.0)


def test_the_shipped_model_belongs_to_the_shipped_dataset_and_loads_in_milliseconds(
    tmp_path, count_training, no_pickle
):
    import time

    dataset = DATA_DIR / DATASET_FILE
    meta = json.loads((DATA_DIR / "classifier.json").read_text(encoding="utf-8"))
    assert meta["dataset_sha256"] == sha256_file(dataset), (
        "run `make data` to train the shipped classifier again"
    )
    assert meta["settings"] == K.SETTINGS
    t0 = time.perf_counter()
    clf = K.load_or_train(dataset, folders=[DATA_DIR, tmp_path], verbose=False)
    assert time.perf_counter() - t0 < 5.0  # milliseconds in fact (benchmarks/identify_speed.py); no training
    assert not count_training and clf.n_models == K.SETTINGS["n_models"]
    assert (DATA_DIR / "classifier.npz").stat().st_size < 1_000_000  # small enough to ship
    assert sorted(clf.classes) == sorted(meta["classes"])


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ML4CHEM_CACHE_DIR", str(tmp_path / "c"))
    assert C.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("ML4CHEM_CACHE_DIR")
    assert "ml4chem-helpers" in str(C.cache_dir())


def test_stored_catalogue_distances_are_the_computed_ones(monkeypatch, tmp_path):
    from helpers import geometries as G

    monkeypatch.setenv("ML4CHEM_CACHE_DIR", str(tmp_path))
    G._stored.cache_clear()
    try:
        computed = G.stored()  # computed and written
        assert (tmp_path / "geometries.npz").is_file()
        G._stored.cache_clear()
        loaded = G.stored()  # read back
        assert loaded.keys() == computed.keys()
        for k in computed:
            np.testing.assert_array_equal(loaded[k][0], computed[k][0])
            np.testing.assert_array_equal(loaded[k][1], computed[k][1])
        (tmp_path / "geometries.npz").write_bytes(b"PK\x03\x04 not a zip")
        G._stored.cache_clear()
        with pytest.warns(UserWarning, match="damaged or was changed"):
            G.stored()
    finally:
        G._stored.cache_clear()
