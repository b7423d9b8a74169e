"""The labelled persons of the seed corpus and the cross-script lookups, and how names are scored against them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from indexing.persons import person_keys

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
GOLD: dict[str, list[str | list[str]]] = {
    k: v
    for k, v in json.loads((DATA / "persons_gold.json").read_text(encoding="utf-8")).items()
    if not k.startswith("_")
}
LOOKUPS = [
    json.loads(line) for line in (DATA / "person_lookups.jsonl").read_text(encoding="utf-8").splitlines() if line
]


def score_names(found_by_doc: Mapping[str, set[str]]) -> tuple[float, float, list[str]]:
    """Precision and recall of the person names found in each seed document, and what went wrong."""
    tp = fp = fn = 0
    problems: list[str] = []
    for doc, people in GOLD.items():
        gold = [[p] if isinstance(p, str) else p for p in people]
        matched: set[int] = set()
        for found in sorted(found_by_doc.get(doc, set())):
            hits = [i for i, forms in enumerate(gold) if any(person_keys(found) & person_keys(f) for f in forms)]
            if hits and hits[0] not in matched:
                matched.add(hits[0])
                tp += 1
            else:
                fp += 1
                problems.append(f"{doc}: extra {found!r}")
        for i, forms in enumerate(gold):
            if i not in matched:
                fn += 1
                problems.append(f"{doc}: missed {forms[0]!r}")
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), problems
