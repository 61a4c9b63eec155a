"""Train / validation / test splits, with the test set locked in a vault.

"If you want an unbiased assessment of your learning performance, you should
keep a test set in a vault and never use it for learning in any way."
(Abu-Mostafa, Magdon-Ismail & Lin, *Learning from Data*.)

:func:`train_val_test_split` makes the course's 60-20-20 split on top of
:func:`sklearn.model_selection.train_test_split` (stratified, seeded).  The
test part comes back as a :class:`Vault`, not as a DataFrame: to use it you
must call :meth:`Vault.open`, and the vault counts how often that happened, so
data snooping is visible in the notebook itself.
"""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split


class Vault:
    """The test set, kept out of reach until the final evaluation.

    ``len(vault)`` and ``repr(vault)`` are harmless; :meth:`open` hands out a
    copy of the data and counts the openings.  Opening it more than once means
    the test set has started to inform your choices, and the score it gives is
    no longer an unbiased estimate of performance on new data.
    """

    def __init__(self, data: pd.DataFrame):
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"Vault holds a pandas DataFrame, got {type(data).__name__}")
        self._data = data
        self.times_opened = 0

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Vault({len(self)} test rows, opened {self.times_opened} time(s))"

    def open(self) -> pd.DataFrame:
        """Return (a copy of) the test set. Do this once, for the final score."""
        self.times_opened += 1
        if self.times_opened > 1:
            print(
                f"⚠ The vault has now been opened {self.times_opened} times. If what you saw the last time "
                "changed your model, this test score is optimistic: data snooping."
            )
        return self._data.copy()


def train_val_test_split(
    df: pd.DataFrame,
    *,
    sizes: tuple[float, float, float] = (0.6, 0.2, 0.2),
    stratify: str | None = "structure_type",
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, Vault]:
    """Split ``df`` into train, validation and a :class:`Vault` holding the test rows.

    Parameters
    ----------
    df : the rows to split (e.g. ``load_pdfs("clean")``).
    sizes : fractions of (train, validation, test); must be positive and sum to 1.
    stratify : column whose class proportions every part keeps (``None``: no stratification).
    random_state : seed, so the split is the same on every run.

    Returns
    -------
    (train, validation, vault) — two DataFrames and a Vault; rows keep their index.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if len(sizes) != 3 or any(not s > 0 for s in sizes) or abs(sum(sizes) - 1.0) > 1e-9:
        raise ValueError(f"sizes must be three positive fractions that sum to 1, got {sizes!r}")
    if stratify is not None and stratify not in df.columns:
        raise ValueError(f"stratify column {stratify!r} is not in the DataFrame")
    labels = df[stratify] if stratify is not None else None
    rest, test = train_test_split(df, test_size=sizes[2], stratify=labels, random_state=random_state)
    labels = rest[stratify] if stratify is not None else None
    val_fraction = sizes[1] / (sizes[0] + sizes[1])
    train, val = train_test_split(rest, test_size=val_fraction, stratify=labels, random_state=random_state)
    return train, val, Vault(test)
