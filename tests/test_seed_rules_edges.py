"""Edges of the seed rules (registry/seeding/rules.py) met on malformed records, which the loader itself reports: the
rules skip what they cannot read and still judge the rest."""

import datetime

from registry.seeding import rules as seed_rules

D = datetime.date


def test_an_appearance_that_is_not_a_mapping_is_skipped_and_the_next_one_still_judged():
    known = seed_rules.Known(people={"le-a": "Lê A"}, posts={"chu-tich": "Chủ tịch"})
    data = {
        "events": [
            {"slug": "hop", "appearances": ["le-a", {"person": "le-a", "post": "chu-tich", "quote": "Ông Lê A dự"}]}
        ]
    }
    assert seed_rules.problems(data, known) == [
        "events #1 (hop): the appearance of le-a as chu-tich has no quote naming the person “Lê A” and the post "
        "“Chủ tịch” (rule: stated appointments)."
    ]


def test_a_date_resting_on_a_document_no_one_defines_shows_it_as_unknown():
    data = {
        "relationships": [
            {
                "subject": "a",
                "object": "b",
                "start_date": D(2024, 1, 2),
                "start_date_precision": "exact",
                "end_date": D(2024, 1, 3),
                "sources": [{"document": "van-ban-khong-co"}],
            }
        ]
    }
    (problem,) = seed_rules.problems(data, seed_rules.Known())
    assert problem.startswith("relationships #1 (start_date=2024-01-02, subject=a, object=b): start_date 2024-01-02")
    assert "the record cites (van-ban-khong-co: unknown)" in problem


def test_a_document_without_a_text_slug_is_not_known(tmp_path):
    data = {
        "documents": [
            {"slug": 7, "published_on": D(2025, 1, 1), "date_precision": "exact"},
            {"slug": "bai-viet", "published_on": D(2025, 1, 2), "date_precision": "exact"},
        ]
    }
    known = seed_rules.known_from_file(data, tmp_path)
    assert set(known.documents) == {"bai-viet"}
    assert known.documents["bai-viet"].date == D(2025, 1, 2)
