"""The Excel export: the CSV's columns and rows as one worksheet, dates as date cells, numbers as numbers.

Text that Excel would run as a formula (=, +, -, @ first) is written as a text cell with Excel's own quote prefix,
as Excel stores text typed after an apostrophe: shown and read back exactly as it is, never run.
"""

import datetime
import tempfile

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.renderers import BaseRenderer, JSONRenderer

from registry.api.csv import FORMULA_STARTS, Column, headers, records

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
#: Bigger workbooks are kept on disk while they are written, not in memory.
IN_MEMORY = 4 * 1024 * 1024


class XLSXRenderer(BaseRenderer):
    """Declares the Excel media type for the export; the workbook itself is written by ``workbook_response``."""

    media_type = MEDIA_TYPE
    format = "xlsx"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only reached for a non-file answer: errors are switched to JSON before rendering (finalize_response).
        return JSONRenderer().render(data, "application/json", renderer_context)


def excel_cell(sheet, value):
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text.startswith(FORMULA_STARTS):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl reads a leading = as a formula
    cell.quotePrefix = True
    return cell


def workbook_response(queryset, columns: list[Column], language: str, filename: str) -> FileResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(filename[:31])
    sheet.append(headers(columns, language))
    for record in records(queryset):
        sheet.append([excel_cell(sheet, column.get(record)) for column in columns])
    # Closed by the response once sent (FileResponse closes the file it streams).
    file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115
    book.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=f"{filename}.xlsx", content_type=MEDIA_TYPE)
