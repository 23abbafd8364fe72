"""Files the dashboard hands out (calendar files, spreadsheets, QR codes), named for saving."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from starlette.responses import Response

CALENDAR = "text/calendar; charset=utf-8"
SPREADSHEET = "text/csv; charset=utf-8"


def download(
    body: str | bytes, media_type: str, filename: str, *, inline: bool = False
) -> Response:
    """`filename` is what the browser saves it as; `inline` shows it in the tab instead."""
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def spreadsheet(header: Sequence[str], rows: Iterable[Sequence[object]], filename: str) -> Response:
    """A .csv as staff open it in Excel with Dutch settings, which separate fields with `;`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    # A byte order mark, so Excel opens the accents (ë, é) correctly.
    return download("\ufeff" + buffer.getvalue(), SPREADSHEET, filename)
