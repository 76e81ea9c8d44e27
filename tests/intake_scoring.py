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


def score(read) -> dict:
    """{form: (recall, precision)} over the held-out cases, ``read`` being registry.intake.reading.read."""
    hits, expected, proposed, correct = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    for case in json.loads(CASES.read_text())["cases"]:
        result = read(case["text"], published_on=None)
        keys = proposed_keys(result)
        wanted = {fact_key(f["kind"], f["person"], f["post"], f["organization"]) for f in case["facts"]}
        form = case["form"]
        expected[form] += len(wanted)
        hits[form] += len(wanted & keys)
        proposed[form] += len(result["proposals"])
        correct[form] += sum(1 for p in result["proposals"] if proposed_keys({"proposals": [p]}) & wanted)
    return {f: (hits[f] / expected[f], correct[f] / proposed[f] if proposed[f] else 0.0) for f in expected}
