"""Anonymous reads through the generated Python client with a plain `Client`: no key, and typed for it.

contract/run type-checks this file with `mypy --strict` against the client generated from openapi.yaml (as
contract/optional_auth.py prepares it), then runs it against the seeded registry: an operation typed for
`AuthenticatedClient` only would fail the type check, and a list typed as text would fail `.results`.

Usage: python contract/anonymous_read.py <generated-client-dir> <base-url>
"""

import csv
import datetime
import io
import sys

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else ".")

from registry_client import Client
from registry_client.api.appointments import appointments_export_csv, appointments_list
from registry_client.models import AppointmentsExportCsvRoleItem, AppointmentsListRoleItem, PaginatedAppointmentList

CITY = "ubnd-tp-hcm"
DAY = datetime.date(2024, 12, 13)


def chairs_on(client: Client, day: datetime.date) -> list[str]:
    page = appointments_list.sync(client=client, organization=CITY, role=[AppointmentsListRoleItem.HEAD], as_of=day)
    if not isinstance(page, PaginatedAppointmentList):
        raise SystemExit(f"FAILED: the appointments list answered {page!r}")
    return [appointment.person.name for appointment in page.results]


def chairs_in_the_export(client: Client, day: datetime.date) -> list[dict[str, str]]:
    text = appointments_export_csv.sync(
        client=client, organization=CITY, role=[AppointmentsExportCsvRoleItem.HEAD], as_of=day, accept_language="vi"
    )
    if not isinstance(text, str):
        raise SystemExit(f"FAILED: the CSV export answered {text!r}")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def main(base_url: str) -> None:
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    names = chairs_on(anonymous, DAY)
    if names != ["Phan Văn Mãi"]:
        raise SystemExit(f"FAILED: the chairman on {DAY} {names}")
    print(f"ok   an anonymous Client reads `results` of the appointments list: {names}")
    rows = chairs_in_the_export(anonymous, DAY)
    if [(row["Người"], row["Cơ quan (mã)"]) for row in rows] != [("Phan Văn Mãi", CITY)]:
        raise SystemExit(f"FAILED: the CSV export {rows}")
    print("ok   and the CSV export of the same filters, with Vietnamese headers")


if __name__ == "__main__":
    main(sys.argv[2])
