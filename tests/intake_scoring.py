"""Scoring intake against expected facts: recall and precision per form (shared by tests and bench/intake_eval.py)."""

import json
from collections import defaultdict
from pathlib import Path

from registry.intake.catalogue import canon

CASES = Path(__file__).parent / "intake_cases" / "cases.json"


def fact_key(kind, person, label, organization) -> tuple:
    return kind, canon(person), canon(label), canon(organization or "")


def proposed_keys(result: dict) -> set:
    keys = set()
    for p in result["proposals"]:
        org = p["post"]["organization"]
        for name in {org["slug"], org["name"]} if org else {""}:
            keys.add(fact_key(p["kind"], p["person"]["name"], p["post"]["label"], name or ""))
    return keys


def cases(batch: str | None = None) -> list[dict]:
    """The held-out cases; ``batch="added"`` only those written after the first rules (read before they were tuned)."""
    return [case for case in json.loads(CASES.read_text())["cases"] if batch is None or case.get("batch") == batch]


def score(read, batch: str | None = None) -> dict:
    """{form: (recall, precision)} over the held-out cases, ``read`` being registry.intake.reading.read."""
    hits, expected, proposed, correct = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    for case in cases(batch):
        result = read(case["text"], published_on=None)
        keys = proposed_keys(result)
        wanted = {fact_key(f["kind"], f["person"], f["post"], f["organization"]) for f in case["facts"]}
        form = case["form"]
        expected[form] += len(wanted)
        hits[form] += len(wanted & keys)
        proposed[form] += len(result["proposals"])
        correct[form] += sum(1 for p in result["proposals"] if proposed_keys({"proposals": [p]}) & wanted)
    return {f: (hits[f] / expected[f], correct[f] / proposed[f] if proposed[f] else 0.0) for f in expected}


def date_score(read, batch: str | None = None) -> tuple[int, int]:
    """(right, dated): of the expected facts that give a date, how many are proposed with that very date."""
    right = dated = 0
    for case in cases(batch):
        result = read(case["text"], published_on=None)
        for fact in case["facts"]:
            field = "end_date" if fact["kind"] == "end" else "start_date"
            if field not in fact:
                continue
            dated += 1
            key = fact_key(fact["kind"], fact["person"], fact["post"], fact["organization"])
            found = [p for p in result["proposals"] if key in proposed_keys({"proposals": [p]})]
            right += any(str(p[field]) == fact[field] for p in found)
    return right, dated
