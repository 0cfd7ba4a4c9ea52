"""Spreadsheets for tests: a workbook of given rows, as an upload's bytes."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook


def xlsx(*rows: list[Any], title: str = "Sheet") -> bytes:
    """An .xlsx file whose first sheet (named ``title``) holds ``rows`` from A1."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
