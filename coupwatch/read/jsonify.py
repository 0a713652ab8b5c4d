"""Values and frames as plain JSON: the one conversion every reader and interface uses."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import uuid

import numpy as np
import pandas as pd


def jsonable(value):
    """A value as JSON: NaN/inf -> null, numpy -> Python, decimals -> float, dates -> text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, pd.Timestamp | dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts."""
    columns = [str(c) for c in frame.columns]
    return [{key: jsonable(value) for key, value in zip(columns, row, strict=True)}
            for row in frame.itertuples(index=False, name=None)]
