"""What a person decides in a `kg link` review file, shared by the embedded and the remote link tests."""

from __future__ import annotations

import csv
from pathlib import Path

KBNS = "http://kb.example.org/entity/"


def decide(review: Path) -> None:
    """What a person decides (as in tests/test_link.py): the War Department is closely related to the Department
    of Defense (its predecessor); the namesake footballer is not Dario Amodei."""
    with review.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["entity"] == KBNS + "us-war-department":
            row["decision"], row["predicate"] = "accept", "skos:closeMatch"
        elif row["entity"] == KBNS + "dario-amodei-footballer":
            row["decision"] = "reject"
    with review.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
