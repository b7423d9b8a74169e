"""Turn wikigold (CoNLL, IOB1; CC BY 4.0) into the person test format of `benchmarks.persons`.

    python scripts/wikigold_persons.py wikigold.conll.txt > benchmarks/data/persons_en_wikigold.jsonl

One Wikipedia article a line: ``{"id", "lang": "en", "text", "persons": [[start, end], ...]}``. The tokens are
joined with the spaces English puts between them (none before "," "." ")" "'s", none after "(" …).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NO_SPACE_BEFORE = {",", ".", ";", ":", ")", "]", "!", "?", "'s", "'", "n't", "%", "'re", "'ve", "'ll", "'d", "'m"}
NO_SPACE_AFTER = {"(", "[", "$"}


def articles(lines: list[str]) -> list[list[list[tuple[str, str]]]]:
    """Articles as lists of sentences of (token, tag)."""
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in [*lines, ""]:
        parts = line.split()
        if not parts:
            if sentence and docs:
                docs[-1].append(sentence)
            sentence = []
        elif parts[0] == "-DOCSTART-":
            docs.append([])
        else:
            sentence.append((parts[0], parts[-1]))
    return [d for d in docs if d]


def to_item(index: int, doc: list[list[tuple[str, str]]]) -> dict[str, object]:
    text, persons, open_start, previous = "", [], None, ""
    for sentence in doc:
        if text:
            text += " "
            previous = ""
        for token, tag in sentence:
            if text and not text.endswith(" ") and token not in NO_SPACE_BEFORE and previous not in NO_SPACE_AFTER:
                text += " "
            starts_person = tag == "B-PER" or (tag == "I-PER" and open_start is None)
            if open_start is not None and (tag != "I-PER" or starts_person or tag == "B-PER"):
                persons.append([open_start, len(text.rstrip())])
                open_start = None
            if tag in ("B-PER", "I-PER") and open_start is None:
                open_start = len(text)
            text += token
            previous = token
        if open_start is not None:
            persons.append([open_start, len(text)])
            open_start = None
    return {"id": f"wikigold-{index:03d}", "lang": "en", "text": text, "persons": persons}


def main() -> None:
    lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    for i, doc in enumerate(articles(lines)):
        print(json.dumps(to_item(i, doc), ensure_ascii=False))


if __name__ == "__main__":
    main()
