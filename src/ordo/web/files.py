"""Tables as files people open in a spreadsheet: CSV produced in chunks (with a byte-order mark,
so Cyrillic and Polish names stay intact) and XLSX written with constant memory to a temporary
file. Used by the desk's exports and the reports, in the pages and the API alike."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpResponse


class _Line:
    """A file-like object whose ``write`` hands back what it was given (csv.writer's output)."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(header: list[str], rows: Iterable[list[Any]], *, batch: int = 500) -> Iterator[str]:
    """CSV text in chunks of ``batch`` rows; a byte-order mark first so spreadsheet programs read
    the file as UTF-8 (Cyrillic and Polish names intact)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(header)
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([_csv_value(v) for v in row]))
        if len(buffer) >= batch:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value


def xlsx_file(header: list[str], rows: Iterable[list[Any]], *, sheet: str) -> Any:
    """The rows as an XLSX workbook in a temporary file (rewound, deleted when closed). XlsxWriter's
    constant-memory mode writes each row to disk as it comes."""
    import xlsxwriter  # imported here: only exports need it

    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes (and so deletes) it
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    bold = book.add_format({"bold": True})
    amount = book.add_format({"num_format": "#,##0.00"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    page = book.add_worksheet(sheet[:31])
    page.freeze_panes(1, 0)
    page.write_row(0, 0, header, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, Decimal):
                page.write_number(count, column, float(value), amount)
            elif isinstance(value, datetime):
                page.write_datetime(count, column, value, moment)
            elif isinstance(value, int):
                page.write_number(count, column, value)
            else:
                page.write_string(count, column, str(value))
    page.autofilter(0, 0, max(count, 1), len(header) - 1)
    page.set_column(0, len(header) - 1, 16)
    book.close()
    out.seek(0)
    return out


def csv_download(name: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    """A small table as a CSV attachment named ``name`` (reports; big lists stream instead)."""
    response = HttpResponse("".join(csv_chunks(header, rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_download(name: str, header: list[str], rows: Iterable[list[Any]], *, sheet: str) -> FileResponse:
    """A table as an XLSX attachment named ``name``."""
    return FileResponse(
        xlsx_file(header, rows, sheet=sheet),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
