"""The text of a file an editor uploads on the intake page: plain text, Word (.docx) or PDF.

Only the words are kept (paragraphs and table cells of a .docx, the text layer of a PDF): the intake reads words. A
scanned PDF has no text layer, and is refused by name rather than read as empty.
"""

import codecs
import io
from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

#: Pages of a PDF read at most: a decision is a few pages, and extracting a long one would hold the request.
MAX_PDF_PAGES = 50
EXTENSIONS = (".txt", ".docx", ".pdf")


def _txt(data: bytes) -> str:
    # UTF-16 only with its byte order mark: without one, almost any bytes decode as UTF-16, to nonsense.
    encoding = "utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _("The text file is not UTF-8: save it as UTF-8 and upload it again."), code="encoding"
        ) from None


def _docx(data: bytes) -> str:
    import docx  # imported here: only this page needs python-docx and its lxml

    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            # A merged cell repeats in every column it spans: keep it once.
            cells = dict.fromkeys(cell.text for cell in row.cells)
            lines.append(" ".join(text for text in cells if text.strip()))
    return "\n".join(lines)


def _pdf(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise forms.ValidationError(_("The PDF is protected by a password."), code="encrypted")
    if len(reader.pages) > MAX_PDF_PAGES:
        raise forms.ValidationError(
            _("The PDF has more than %(pages)d pages.") % {"pages": MAX_PDF_PAGES}, code="too_long"
        )
    return "\n".join(page.extract_text() or "" for page in reader.pages)


READERS = {".txt": _txt, ".docx": _docx, ".pdf": _pdf}


def text_of(upload) -> str:
    """The words of an uploaded file; a ValidationError naming the problem for any file it cannot read."""
    extension = PurePath(upload.name or "").suffix.lower()
    reader = READERS.get(extension)
    if reader is None:
        raise forms.ValidationError(_("Upload a .txt, .docx or .pdf file."), code="extension")
    data = upload.read()
    try:
        text = reader(data)
    except forms.ValidationError:
        raise
    except Exception as error:  # a broken or hostile file raises whatever its parser defines
        raise forms.ValidationError(
            _("The file could not be read as %(kind)s.") % {"kind": extension}, code="unreadable"
        ) from error
    if not text.strip():
        raise forms.ValidationError(
            _("The file holds no text (a scanned document?): paste its text instead."), code="empty"
        )
    return text
