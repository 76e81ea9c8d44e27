"""The FollowTheMoney export (registry/interop/ftm.py): every line is an entity FtM itself accepts, the dates and
statuses keep the registry's rule on ends, and the command and the API download are the same lines."""

import datetime
import io
import json

import pytest
import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from followthemoney import model
from followthemoney.types import registry

from registry.choices import DatePrecision, DocumentKind, OrganizationClassification, OtherNameKind
from registry.interop import ftm
from registry.models import Appointment, Document, Identifier, Organization, OtherName, Person, Post
from tests.factories import (
    AppointmentFactory,
    CitationFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    PortfolioFactory,
    PostFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 12, 22)
URL = "/api/v1/exports/ftm.jsonl"
#: FtM marks a Document's fileName required (a file-backed document); the registry holds no file of an instrument and
#: does not invent a name for one (docs/ftm.md).
NOT_INVENTED = {("Document", "fileName")}


def export(today=DAY) -> list[dict]:
    return [json.loads(line) for line in ftm.stream(today)]


def by_id(entities: list[dict]) -> dict[str, dict]:
    return {entity["id"]: entity for entity in entities}


def refusals(entities: list[dict]) -> list[str]:
    """What FtM would refuse or silently drop in these entities, each with the entity's id."""
    found, ids = [], by_id(entities)
    if len(ids) != len(entities):
        found.append("ids repeat")
    for data in entities:
        where = data["id"]
        schema = model.get(data["schema"])
        if schema is None or schema.abstract:
            found.append(f"{where}: no concrete schema {data['schema']!r}")
            continue
        if not registry.entity.validate(where):
            found.append(f"{where}: not an FtM id")
        # Unknown properties are dropped and unclean values changed on the way in: the round trip shows either.
        proxy = model.get_proxy(data, cleaned=False)
        if proxy.to_dict() != {"id": where, "schema": data["schema"], "properties": data["properties"]}:
            found.append(f"{where}: changed by FtM: {proxy.to_dict()['properties']} != {data['properties']}")
        try:
            schema.validate(data)
        except Exception as error:  # FtM's InvalidData
            found.append(f"{where}: {error}")
        missing = [p for p in schema.required if p not in data["properties"] and (schema.name, p) not in NOT_INVENTED]
        if missing:
            found.append(f"{where}: required {missing} missing")
        for name, values in data["properties"].items():
            prop = schema.get(name)
            if prop is not None and prop.type == registry.entity:
                for value in values:
                    target = ids.get(value)
                    if target is None or not model.get(target["schema"]).is_a(prop.range):
                        found.append(f"{where}: {name} points at {value}, not a {prop.range.name} in the export")
    return found


def occupancy_of(entities, person: str, post: str) -> dict:
    holder, position = f"hcmc-registry-person-{person}", f"hcmc-registry-position-{post}"
    occupancies = [e for e in entities if e["schema"] == "Occupancy"]
    (found,) = [
        e for e in occupancies if e["properties"]["holder"] == [holder] and [position] == e["properties"]["post"]
    ]
    return found


def test_every_line_of_the_seeded_registry_is_an_entity_ftm_accepts():
    entities = export()
    assert refusals(entities) == []
    schemata = {e["schema"] for e in entities}
    assert schemata == {"Article", "Documentation", "Occupancy", "Organization", "Person", "Position", "PublicBody"}
    people = [e for e in entities if e["schema"] == "Person"]
    assert len(people) == Person.objects.count()
    assert all(p["properties"]["topics"] == ["role.pep"] and p["properties"]["country"] == ["vn"] for p in people)
    assert len([e for e in entities if e["schema"] == "Occupancy"]) == Appointment.objects.count()


def test_the_checks_catch_what_ftm_would_refuse_or_drop():
    person = {"id": "hcmc-registry-person-x", "schema": "Person", "properties": {"name": ["X"]}}
    assert refusals([person]) == []
    assert refusals([{**person, "properties": {"name": ["X"], "colour": ["red"]}}])  # unknown property
    assert refusals([{**person, "schema": "Occupancy"}])  # wrong schema: holder and post missing
    assert refusals([{**person, "schema": "Thing"}])  # abstract
    assert refusals([{**person, "properties": {"name": ["X"], "birthDate": ["soon"]}}])  # not a date
    assert refusals([{**person, "properties": {"name": ["X"], "parent": ["nobody"]}}])  # dangling reference
    assert refusals([{**person, "id": "a/b"}])


def test_the_committee_head_holds_the_post_from_the_day_the_article_shows_him():
    entities = export()
    head = occupancy_of(entities, "nguyen-van-duoc", "ban-chi-dao-hoi-nhap-quoc-te-truong-ban")
    assert head["properties"]["startDate"] == ["2025-12-15"]
    assert "endDate" not in head["properties"]
    assert head["properties"]["status"] == ["current"]
    assert head["properties"]["proof"] == ["hcmc-registry-document-art-2025-12-15"]
    assert head["properties"]["description"][0].startswith("Start attested: 2025-12-15 is the earliest day")
    position_id = "hcmc-registry-position-ban-chi-dao-hoi-nhap-quoc-te-truong-ban"
    position = by_id(entities)[position_id]["properties"]
    assert position["name"] == ["Trưởng ban, Ban Chỉ đạo TP.HCM về hội nhập quốc tế"]
    assert position["alias"] == ["Head, Ho Chi Minh City Steering Committee on International Integration"]
    assert position["organization"] == ["hcmc-registry-organization-ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"]
    assert (
        "hcmc-registry-document-art-2025-12-15: “do Chủ tịch Nguyễn Văn Được làm Trưởng ban”"
        in (head["properties"]["summary"])
    )
    quotes = [
        e["properties"]["summary"][0]
        for e in entities
        if e["schema"] == "Documentation" and e["properties"]["entity"] == [position_id]
    ]
    assert "Ông Nguyễn Văn Được, Chủ tịch UBND TP.HCM, giữ vai trò Trưởng ban Chỉ đạo." in quotes


def test_an_end_that_only_marks_the_last_document_is_not_an_end():
    """Phan Văn Mãi is last shown as Chairman on 13/12/2024 (an inferred end): no endDate, status unknown."""
    mai = occupancy_of(export(), "phan-van-mai", "ubnd-tp-hcm-chu-tich")["properties"]
    assert "endDate" not in mai
    assert mai["status"] == ["unknown"]
    assert "Last shown in post on 2024-12-13 (inferred)" in mai["description"][1]


def test_status_on_the_day_of_the_export(today_is):
    post = PostFactory(seats=None)
    ended = AppointmentFactory(
        post=post,
        end_date=datetime.date(2025, 3, 31),
        end_date_precision=DatePrecision.EXACT,
        end_reason="Nghỉ hưu",
        leaves_vacant=True,
    )
    ending = AppointmentFactory(post=post, end_date=datetime.date(2026, 1, 31), end_date_precision=DatePrecision.EXACT)
    shown = AppointmentFactory(post=post, end_date=datetime.date(2025, 6, 1), end_date_precision=DatePrecision.ATTESTED)
    coming = AppointmentFactory(post=post, start_date=datetime.date(2026, 2, 1))
    today_is(DAY)
    entities = by_id(export(today=None))
    ended_entity = entities[ftm.occupancy_id(ended)]["properties"]
    assert ended_entity["status"] == ["ended"] and ended_entity["endDate"] == ["2025-03-31"]
    assert ended_entity["description"] == [
        "End reason: Nghỉ hưu",
        "A source states the seat stayed empty after this end.",
    ]
    assert entities[ftm.occupancy_id(ending)]["properties"]["status"] == ["current"]
    assert entities[ftm.occupancy_id(shown)]["properties"]["status"] == ["unknown"]
    assert "endDate" not in entities[ftm.occupancy_id(shown)]["properties"]
    assert entities[ftm.occupancy_id(coming)]["properties"]["status"] == ["unknown"]
    assert "numberOfSeats" not in entities[ftm.position_id(post)]["properties"]


def test_names_identifiers_and_sources_by_ftm_property():
    person = PersonFactory(name="Trần Thị Thử", family_name="Trần", given_name="Thử", honorific="ba")
    OtherName.objects.create(record=person, name="Trần Thử", kind=OtherNameKind.FORMER)
    OtherName.objects.create(record=person, name="Tran Thi Thu", kind=OtherNameKind.TRANSLITERATION)
    Identifier.objects.create(record=person, scheme="wikidata", identifier="Q42")
    body = OrganizationFactory(
        classification=OrganizationClassification.ASSOCIATION,
        founding_date=datetime.date(2020, 5, 1),
        founding_date_precision=DatePrecision.EXACT,
    )
    OtherName.objects.create(record=body, name="HTN", kind=OtherNameKind.ABBREVIATION)
    post = PostFactory(organization=body, portfolio=PortfolioFactory(), label_en="Chair")
    untranslated = PostFactory(organization=body, label_en="")
    appointment = AppointmentFactory(person=person, post=post)
    decision = DocumentFactory(
        kind=DocumentKind.DECISION, number="12/QĐ-UBND", title="Quyết định thử", text="", published_on=None
    )
    CitationFactory(record=appointment, document=decision, quote="Giám đốc", field="start_date")
    entities = by_id(export())
    assert refusals(list(entities.values())) == []
    found = entities[ftm.person_id(person)]["properties"]
    assert found["previousName"] == ["Trần Thử"] and found["alias"] == ["Tran Thi Thu"]
    assert found["middleName"] == ["Thị"] and found["gender"] == ["female"] and found["title"] == ["Bà"]
    assert found["wikidataId"] == ["Q42"]
    assert found["position"] == [ftm.position_name(post)]
    organization = entities[ftm.organization_id(body)]
    assert organization["schema"] == "Organization"
    assert organization["properties"]["incorporationDate"] == ["2020-05-01"]
    assert organization["properties"]["abbreviation"] == organization["properties"]["weakAlias"] == ["HTN"]
    # The portfolio has no English name, so the post has no English form; nor has a post without an English label.
    assert "alias" not in entities[ftm.position_id(post)]["properties"]
    assert "alias" not in entities[ftm.position_id(untranslated)]["properties"]
    document = entities[ftm.document_id(decision)]
    assert document["schema"] == "Document" and "fileName" not in document["properties"]
    assert document["properties"]["name"] == ["12/QĐ-UBND Quyết định thử"]
    assert entities[ftm.occupancy_id(appointment)]["properties"]["proof"] == [ftm.document_id(decision)]


def test_a_name_not_written_family_first_has_no_middle_name():
    assert ftm.middle_name(Person(name="Thử Trần", family_name="Trần", given_name="Thử")) is None
    assert ftm.middle_name(Person(name="Trần Thử", family_name="Trần", given_name="Thử")) is None
    assert ftm.middle_name(Person(name="Trần Thử")) is None


def test_ids_are_stable_across_runs():
    first, second = export(), export()
    assert first == second
    assert "hcmc-registry-person-nguyen-van-duoc" in by_id(first)


def test_the_export_reads_a_fixed_number_of_queries(django_assert_num_queries):
    # Content types are the process's cache, not the export's reads.
    ContentType.objects.get_for_models(Appointment, Document, Organization, Person, Post)
    # documents; bodies + identifiers, other names, citations; people + the same + appointments; posts + citations;
    # appointments + citations.
    with django_assert_num_queries(14):
        list(ftm.entities(DAY))


def test_command_output_is_the_api_download(api_client, today_is, tmp_path):
    today_is(DAY)
    out = io.StringIO()
    call_command("export_ftm", stdout=out)
    response = api_client.get(URL, HTTP_ACCEPT="application/x-ndjson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert b"".join(response.streaming_content).decode("utf-8") == out.getvalue()
    path = tmp_path / "registry.jsonl"
    call_command("export_ftm", "--output", str(path), stderr=io.StringIO())
    assert path.read_text(encoding="utf-8") == out.getvalue()
    assert reverse("registry-api:export-ftm") == URL


def test_errors_stay_json_when_json_lines_are_asked_for(api_client):
    response = api_client.post(URL, HTTP_ACCEPT="application/x-ndjson")
    assert response.status_code == 405
    assert json.loads(response.content)["detail"]


def test_the_schema_declares_the_download_as_json_lines():
    with open("openapi.yaml", encoding="utf-8") as schema:
        operation = yaml.safe_load(schema)["paths"][URL]["get"]
    assert operation["operationId"] == "exports_ftm"
    assert list(operation["responses"]["200"]["content"]) == ["application/x-ndjson"]
