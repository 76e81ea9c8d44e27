"""Intake's recall and precision on the seed articles and on the held-out cases (per form), and time per text.

Usage: SECRET_KEY=x DATABASE_URL=sqlite:////tmp/intake.sqlite3 python bench/intake_eval.py (a seeded database:
manage.py migrate && manage.py load_seeds).
"""

import os
import sys
import time
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from registry.intake.reading import read
    from registry.models import Appointment, Document
    from tests.intake_scoring import date_score, score

    proposed, quotes, times = set(), 0, []
    documents = list(Document.objects.exclude(file_name=""))
    for document in documents:
        began = time.perf_counter()
        result = read(document.text)
        times.append((time.perf_counter() - began) * 1000)
        for p in result["proposals"]:
            quotes += p["quote"] not in document.text
            proposed.add((p["person"]["slug"], p["post"]["id"]))
    seeded = {(a.person.slug, a.post_id) for a in Appointment.objects.select_related("person")}
    relevant = {key for key in proposed if key[0] is not None}
    print(
        f"seeds: recall {len(seeded & proposed) / len(seeded):.2f} ({len(seeded & proposed)}/{len(seeded)}), "
        f"precision {len(seeded & relevant) / max(1, len(relevant)):.2f}, quotes not verbatim: {quotes}"
    )
    batches = {batch: score(read, batch) for batch in ("added", "fresh", "fresh2")}
    for form, (recall, precision) in score(read).items():
        line = f"held-out {form:16} recall {recall:.2f} precision {precision:.2f}"
        for batch, scores in batches.items():
            if form in scores:
                line += f" | {batch}: {scores[form][0]:.2f} {scores[form][1]:.2f}"
        print(line)
    for batch in (None, "added", "fresh", "fresh2"):
        right, dated = date_score(read, batch)
        print(f"dates right ({batch or 'all'}): {right}/{dated}")
    print(f"mean {sum(times) / len(times):.1f} ms per seed text ({len(times)} texts)")
    big = "\n".join(d.text for d in documents)[:10_000]
    began = time.perf_counter()
    read(big)
    print(f"10 KB text: {(time.perf_counter() - began) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
