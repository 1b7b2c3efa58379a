"""Tables as CSV files that Excel opens right: UTF-8 with a BOM, the table's list separator,
and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

from flows.messages import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Newlines normalised; a cell a spreadsheet would run as a formula gets a leading '."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO(newline="")
    # the excel dialect quotes cells holding the delimiter, quotes or newlines; rows end in CRLF
    writer = csv.writer(buffer, dialect="excel", delimiter=table.delimiter)
    if table.headers:
        writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
