"""The registry as Popolo 1.0.1 JSON (https://www.popoloproject.com/): one document out, and documents in.

Popolo has persons, organizations, posts and memberships. The registry says more, as documented extensions (extra
properties, which Popolo's schemas allow) and extra top-level lists (docs/popolo.md lists them). Lowest first:
values.py (how the import reads a value, and its Refusal), reading.py (what a file must be before it is read),
validation.py (Popolo's schemas), records.py and export.py (out), writing.py and importer.py (in).
"""

from registry.interop.popolo.export import export, meta, stream
from registry.interop.popolo.importer import Importer, import_document
from registry.interop.popolo.records import additional_name, document_url, membership_id, person_data, role_label
from registry.interop.popolo.validation import validate
from registry.interop.popolo.values import Refusal
from registry.interop.popolo.writing import ImportReport

__all__ = [
    "ImportReport",
    "Importer",
    "Refusal",
    "additional_name",
    "document_url",
    "export",
    "import_document",
    "membership_id",
    "meta",
    "person_data",
    "role_label",
    "stream",
    "validate",
]
