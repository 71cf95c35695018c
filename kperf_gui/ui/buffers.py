"""In-memory series for the live plots: numpy columns that grow by doubling."""
from __future__ import annotations

import numpy as np


class GrowBuffer:
    """Rows of ``columns`` floats. Appending is amortised O(1); :meth:`column` returns a view of
    the filled part without copying, so a plot can take it on every refresh."""

    def __init__(self, columns: int = 2, capacity: int = 1024):
        self._data = np.empty((max(16, capacity), columns), dtype=np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def _reserve(self, n: int) -> None:
        if n > len(self._data):
            size = len(self._data)
            while size < n:
                size *= 2
            grown = np.empty((size, self._data.shape[1]), dtype=np.float64)
            grown[: self._n] = self._data[: self._n]
            self._data = grown

    def append(self, *row: float) -> None:
        """Add one row (``None`` becomes NaN)."""
        self._reserve(self._n + 1)
        self._data[self._n] = [np.nan if v is None else v for v in row]
        self._n += 1

    def extend(self, rows: np.ndarray) -> None:
        """Add many rows at once (an array of shape ``(n, columns)``)."""
        rows = np.asarray(rows, dtype=np.float64)
        self._reserve(self._n + len(rows))
        self._data[self._n : self._n + len(rows)] = rows
        self._n += len(rows)

    def column(self, i: int) -> np.ndarray:
        """The filled part of column ``i``."""
        return self._data[: self._n, i]

    def clear(self) -> None:
        self._n = 0
