"""Answer real questions through the Python client generated from openapi.yaml, as an integrating system would.

Usage (contract/run does this): python contract/check_python_client.py <generated-client-dir> <base-url> <api-key>
"""

import datetime
import sys
from http import HTTPStatus

sys.path.insert(0, sys.argv[1])

from registry_client import AuthenticatedClient, Client
from registry_client.api.appointments import appointments_list
from registry_client.api.changes import changes_list
from registry_client.api.documents import documents_list
from registry_client.api.organizations import organizations_chart, organizations_chart_svg, organizations_list
from registry_client.api.people import people_create, people_destroy, people_retrieve
from registry_client.api.posts import posts_list
from registry_client.models import (
    AppointmentsListRoleItem,
    Error,
    PaginatedPostList,
    PersonRequest,
    PostsListRoleItem,
)

COMMITTEE = "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"


def check(label: str, condition: bool, detail: object = "") -> None:
    if not condition:
        raise SystemExit(f"FAILED: {label} {detail}")
    print(f"ok   {label}")


def main(base_url: str, key: str) -> None:
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    system = AuthenticatedClient(base_url=base_url, token=key, prefix="Api-Key", raise_on_unexpected_status=True)

    heads = posts_list.sync(client=system, organization=COMMITTEE, role=[PostsListRoleItem.HEAD])
    check("the committee has one head post", isinstance(heads, PaginatedPostList) and heads.count == 1, heads)
    names = [holder.person.name for holder in heads.results[0].holders]
    check("Nguyễn Văn Được heads the steering committee today", names == ["Nguyễn Văn Được"], names)

    chart = organizations_chart.sync(COMMITTEE, client=anonymous, as_of=datetime.date(2025, 12, 22))
    check("the chart has five posts", len(chart.posts) == 5, chart)
    members = next(post for post in chart.posts if post.role.value == "member")
    check(
        "twenty member seats, all unknown (unnamed), none stated vacant",
        (members.seats, members.unknown_seats, members.vacant_seats) == (20, 20, 0),
        members,
    )
    economy = next(post for post in chart.posts if post.portfolio and post.portfolio.slug == "kinh-te")
    check("Bùi Tá Hoàng Vũ covers the economy", economy.holders[0].person.name == "Bùi Tá Hoàng Vũ", economy)
    check("as Director of Industry and Trade", economy.holders[0].capacity.slug == "so-cong-thuong-tp-hcm-giam-doc")
    check("five support agencies", len(chart.support_agencies) == 5, chart.support_agencies)
    picture = organizations_chart_svg.sync(
        COMMITTEE, client=anonymous, as_of=datetime.date(2025, 12, 22), accept_language="en"
    )
    check("the chart as SVG names its head", isinstance(picture, str) and "Nguyễn Văn Được" in picture, picture)

    son = people_retrieve.sync("bui-thanh-son", client=anonymous)
    posts = sorted(appointment.post.slug for appointment in son.appointments)
    check("Bùi Thanh Sơn's appointments", "bo-ngoai-giao-bo-truong" in posts and len(posts) == 3, posts)

    chairs = appointments_list.sync(
        client=system,
        organization="ubnd-tp-hcm",
        role=[AppointmentsListRoleItem.HEAD],
        as_of=datetime.date(2024, 12, 13),
    )
    chair_names = [appointment.person.name for appointment in chairs.results]
    check("chairman on 13 Dec 2024 (as_of)", chair_names == ["Phan Văn Mãi"], chair_names)

    found = organizations_list.sync(client=system, q="so ngoai vu")
    check("accent-free search, best match first", found.results[0].slug == "so-ngoai-vu-tp-hcm", found.results)
    resolutions = documents_list.sync(client=system, number="59-NQ/TW")
    check("filtered list by document number", [d.slug for d in resolutions.results] == ["nq-59-nq-tw"])

    missing = people_retrieve.sync_detailed("nobody-by-this-name", client=Client(base_url=base_url))
    check("an unknown slug is a 404", missing.status_code == HTTPStatus.NOT_FOUND, missing.status_code)
    check("with the uniform error body", isinstance(missing.parsed, Error) and missing.parsed.code == "not_found")

    started = datetime.datetime.now(datetime.UTC)
    created = people_create.sync(client=system, body=PersonRequest(slug="contract-check", name="Người Kiểm Thử"))
    check("a system with the editor key writes", created.slug == "contract-check", created)
    deleted = people_destroy.sync_detailed("contract-check", client=system, reason="contract check")
    check("and deletes", deleted.status_code == HTTPStatus.NO_CONTENT, deleted.status_code)
    feed = changes_list.sync(client=anonymous, since=started)
    kinds = [(entry.model, entry.type_.value) for entry in feed.results]
    check("the change feed shows both", kinds == [("person", "created"), ("person", "deleted")], kinds)


if __name__ == "__main__":
    main(sys.argv[2], sys.argv[3])
