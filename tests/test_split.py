import numpy as np
import pandas as pd
import pytest

from helpers.split import Vault, train_val_test_split


@pytest.fixture
def df():
    rng = np.random.default_rng(0)
    types = np.repeat(["A", "B", "C"], [100, 60, 40])
    return pd.DataFrame({"structure_type": types, "x": rng.normal(size=200)})


def test_sixty_twenty_twenty_disjoint_and_complete(df):
    train, val, vault = train_val_test_split(df)
    test = vault.open()
    assert (len(train), len(val), len(test)) == (120, 40, 40)
    idx = [set(train.index), set(val.index), set(test.index)]
    assert not (idx[0] & idx[1] or idx[0] & idx[2] or idx[1] & idx[2])
    assert set().union(*idx) == set(df.index)


def test_stratified(df):
    train, val, vault = train_val_test_split(df)
    for part in (train, val, vault.open()):
        share = part["structure_type"].value_counts(normalize=True)
        assert share["A"] == pytest.approx(0.5, abs=0.03)
        assert share["C"] == pytest.approx(0.2, abs=0.03)


def test_seeded(df):
    a = train_val_test_split(df, random_state=1)
    b = train_val_test_split(df, random_state=1)
    c = train_val_test_split(df, random_state=2)
    assert list(a[0].index) == list(b[0].index)
    assert list(a[0].index) != list(c[0].index)


def test_vault_counts_openings_and_warns(df, capsys):
    *_, vault = train_val_test_split(df)
    assert isinstance(vault, Vault) and len(vault) == 40
    assert "opened 0" in repr(vault)
    first = vault.open()
    assert capsys.readouterr().out == ""
    first.iloc[0, 1] = 1e9  # a copy: the vault's data are not changed
    second = vault.open()
    assert "opened 2 times" in capsys.readouterr().out
    assert second.iloc[0, 1] != 1e9
    assert vault.times_opened == 2


@pytest.mark.parametrize("sizes", [(0.5, 0.5, 0.5), (0.6, 0.4, 0.0), (0.6, 0.4)])
def test_bad_sizes(df, sizes):
    with pytest.raises(ValueError, match="sizes"):
        train_val_test_split(df, sizes=sizes)


def test_bad_stratify_column_and_type(df):
    with pytest.raises(ValueError, match="not_a_column"):
        train_val_test_split(df, stratify="not_a_column")
    with pytest.raises(TypeError, match="DataFrame"):
        train_val_test_split(df.to_numpy())
