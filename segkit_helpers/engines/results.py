"""Query results from any engine, in the types DuckDB gives, so every engine's profile is the same table.

DuckDB returns timestamps as ``datetime64[us]`` and numbers as ``int64`` /
``float64``; Spark (``toPandas``) returns ``datetime64[ns]``, and PostgreSQL returns
``numeric`` aggregates (``avg`` of integers) as ``Decimal`` objects.
:func:`normalize_frame` brings a result to DuckDB's types.
"""

from __future__ import annotations

import decimal

import pandas as pd


def normalize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with DuckDB's result types.

    - timestamps (zone-aware ones converted to UTC) → naive ``datetime64[us]``;
    - object columns that hold only numbers (``Decimal``, ``int``, ``float``) and
      missing values → ``int64`` when all are whole and none is missing, else ``float64``.
    """
    out = frame.copy()
    for i in range(out.shape[1]):  # by position: a result may repeat a column name
        column = out.iloc[:, i]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            out.isetitem(i, column.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]"))
        elif pd.api.types.is_datetime64_dtype(column.dtype):
            out.isetitem(i, column.astype("datetime64[us]"))
        elif column.dtype == object:
            values = column.dropna()
            if len(values) and all(isinstance(v, (decimal.Decimal, int, float)) and not isinstance(v, bool)
                                   for v in values):
                whole = column.notna().all() and all(isinstance(v, int) or (isinstance(v, decimal.Decimal)
                                                                            and v == v.to_integral_value())
                                                     for v in values)
                out.isetitem(i, column.astype("int64" if whole and all(not isinstance(v, float) for v in values)
                                              else "float64"))
    return out


class Result:
    """Rows of one query: ``fetchall``/``fetchone`` (tuples) and ``df`` (DataFrame), as DuckDB's results offer."""

    def __init__(self, frame: pd.DataFrame | None):
        self._frame = frame if frame is not None else pd.DataFrame()

    def df(self) -> pd.DataFrame:
        """The rows as a DataFrame (:func:`normalize_frame` types)."""
        return normalize_frame(self._frame)

    def fetchall(self) -> list[tuple]:
        """The rows as tuples (numbers as Python numbers, timestamps as ``pandas.Timestamp``)."""
        frame = self.df()
        frame = frame.astype(object).where(frame.notna(), None)
        return [tuple(row) for row in frame.itertuples(index=False, name=None)]

    def fetchone(self) -> tuple | None:
        """The first row, or None."""
        rows = self.fetchall()
        return rows[0] if rows else None
