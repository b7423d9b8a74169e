"""Train the Kazakh person tagger and its name lexicon from KazNERD (CC BY 4.0, github IS2AI/KazNERD).

    python scripts/train_kazakh_names.py KazNERD/IOB2_valid.txt [more IOB2 files ...]

Reads IOB2 files (one "token TAG" a line, a blank line between sentences), keeps PERSON as PER and folds every
other entity type into ENT, and writes `indexing/persons/data/kazakh_persons.crfsuite` (a linear-chain CRF, L1+L2
regularised so that the file stays small) and `indexing/persons/data/kazakh_names.json` (each word seen inside a
person's name at least twice, with the share of its occurrences that are names; and the forms a name's last word
takes with the base it comes from, when the base is seen too). Never give it the test split.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import pycrfsuite

from indexing.persons.kazakh_tagger import ENDINGS, LEXICON_PATH, MODEL_PATH, sentence_features

MIN_NAME_COUNT = 2


def read_iob(paths: list[str]) -> list[list[tuple[str, str]]]:
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for path in paths:
        for line in [*Path(path).read_text(encoding="utf-8").splitlines(), ""]:
            parts = line.split()
            if len(parts) < 2:
                if current:
                    sentences.append(current)
                current = []
                continue
            token, tag = parts[0], parts[-1]
            if tag != "O":
                prefix, kind = tag.split("-", 1)
                tag = f"{prefix}-{'PER' if kind == 'PERSON' else 'ENT'}"
            current.append((token, tag))
    return sentences


def build_lexicon(sentences: list[list[tuple[str, str]]]) -> dict[str, object]:
    as_name: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for sentence in sentences:
        for token, tag in sentence:
            seen[token.lower()] += 1
            if tag.endswith("PER"):
                as_name[token.lower()] += 1
    share = {w: round(n / seen[w], 3) for w, n in as_name.items() if n >= MIN_NAME_COUNT}
    nominative = {}
    for word in as_name:
        for ending in ENDINGS:
            base = word[: -len(ending)]
            if word.endswith(ending) and len(base) >= 3 and as_name.get(base, 0) >= 1:
                nominative[word] = base
                break
    return {"share": dict(sorted(share.items())), "nominative": dict(sorted(nominative.items()))}


def main() -> None:
    sentences = read_iob(sys.argv[1:])
    lexicon = build_lexicon(sentences)
    shares: dict[str, float] = lexicon["share"]  # type: ignore[assignment]
    trainer = pycrfsuite.Trainer(verbose=False)
    for sentence in sentences:
        words = [t for t, _ in sentence]
        trainer.append(sentence_features(words, shares), [tag for _, tag in sentence])
    trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": 200, "feature.possible_transitions": True})
    started = time.perf_counter()
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(MODEL_PATH))
    LEXICON_PATH.write_text(json.dumps(lexicon, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(
        f"{len(sentences)} sentences, {len(shares)} name words; trained in {time.perf_counter() - started:.0f} s; "
        f"model {MODEL_PATH.stat().st_size / 1e6:.2f} MB, lexicon {LEXICON_PATH.stat().st_size / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    main()
