"""Workbooks with formulas, as Excel saves them: with or without the formulas' computed results.

A workbook written by the test library holds formulas without results (as if never computed);
``with_results`` writes the results into the sheet's XML, as Excel does when it saves."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

#: Excel's error values: a formula whose result is one of these is stored as an error cell.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


def with_results(data: bytes, results: dict[str, str | int | float], *,
                 part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with a computed result stored for each formula cell named (``"H2"``): numbers as
    numbers, Excel's error values as errors, other text as text."""
    source = zipfile.ZipFile(io.BytesIO(data))
    xml = source.read(part).decode()
    for ref, value in results.items():
        cell = re.compile(rf'<c r="{ref}"([^>]*)>(<f[^>]*>.*?</f>|<f[^>]*/>)<v\s*/>|<c r="{ref}"([^>]*)>'
                          rf'(<f[^>]*>.*?</f>|<f[^>]*/>)<v></v>')
        match = cell.search(xml)
        assert match is not None, f"no formula without a result in {ref}"
        attrs = re.sub(r'\s+t="[^"]*"', "", match[1] if match[1] is not None else match[3])
        formula = match[2] if match[2] is not None else match[4]
        if isinstance(value, str):
            kind = ' t="e"' if value in EXCEL_ERRORS else ' t="str"'
            stored = escape(value)
        else:
            kind, stored = "", repr(value)
        xml = xml[:match.start()] + f'<c r="{ref}"{attrs}{kind}>{formula}<v>{stored}</v>' + xml[match.end():]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, xml.encode() if info.filename == part else source.read(info.filename))
    return out.getvalue()
