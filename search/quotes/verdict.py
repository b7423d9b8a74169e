"""What a match says about a quote: exact, cosmetic, altered, truncated, translation or paraphrase."""

from __future__ import annotations

import re
from enum import Enum

from language.scripts import guess_language, script_counts
from language.words import WORD
from search.quotes.align import Alignment

# An omitted part of a sentence qualifies what is quoted when it follows at a new clause (a comma, a dash, a
# bracket) or holds a word that restricts, negates, attributes or conditions it.
_CLAUSE_START = re.compile(r"^\s*[,;:(\[—–-]")
QUALIFIERS = frozenset(
    """not no never nor neither without but however although though unless except only if whether despite while
    whereas yet allegedly reportedly alleged claimed claims said says according denied denies rather instead
    не нет никогда без но однако хотя если кроме только якобы заявил заявили по словам
    емес жоқ бірақ егер тек""".split()
)
MIN_OMITTED_WORDS = 2


class Verdict(str, Enum):
    exact = "exact"  # the same words (and characters)
    cosmetic = "cosmetic"  # only case, punctuation, quote marks, dashes, white space, hyphenation, ё/е, homoglyphs
    altered = "altered"  # words or numbers changed, added or removed
    truncated = "truncated"  # part of a longer sentence whose omitted part changes or qualifies it
    translation = "translation"  # another language than the source, the same meaning
    paraphrase = "paraphrase"  # the same language and meaning, other words


def wording_verdict(quote: str, original: str, alignment: Alignment) -> Verdict:
    """Exact, cosmetic or altered, by the words the quote and the original span share."""
    if all(opcode.op == "equal" for opcode in alignment.opcodes):
        return Verdict.exact if quote.strip() == original else Verdict.cosmetic
    return Verdict.altered


def qualifies(omitted: str, before: bool) -> bool:
    """Whether an omitted part of a sentence (before or after the quoted words) changes or qualifies them."""
    words = WORD.findall(omitted.lower())
    if len(words) < MIN_OMITTED_WORDS:
        return False
    # What follows a quote at a clause boundary qualifies it; what precedes it (a date, a place) only frames it,
    # unless it attributes, negates or conditions it.
    boundary = not before and _CLAUSE_START.match(omitted)
    return bool(boundary) or any(word in QUALIFIERS for word in words)


def language_of(text: str) -> str | None:
    """'en', 'ru' or 'kk' by script; short texts are judged by their letters alone."""
    guess = guess_language(text)
    if guess is not None:
        return guess
    cyrillic, latin = script_counts(text)
    if not cyrillic and not latin:
        return None
    return "en" if latin >= cyrillic else guess_language(text * 20)


def meaning_verdict(quote: str, document_language: str | None, original: str) -> Verdict:
    """Translation when the quote is written in another language than its source; paraphrase otherwise."""
    quote_language = language_of(quote)
    source_language = document_language or language_of(original)
    if quote_language and source_language and quote_language != source_language:
        return Verdict.translation
    return Verdict.paraphrase


_EXPLANATIONS = {
    Verdict.exact: "the archive says it in exactly these words",
    Verdict.cosmetic: "the same words; only case, punctuation, dashes, spacing or spelling variants differ",
    Verdict.altered: "most words are the source's, but some were changed, added or removed (see the differences)",
    Verdict.truncated: "the quoted words are part of a longer sentence whose left-out part changes or qualifies them",
    Verdict.translation: "a translation: another language than the source, the same meaning, numbers, dates and names",
    Verdict.paraphrase: "the same meaning in other words of the same language",
}


def explain(verdict: Verdict, detail: str | None = None) -> str:
    """The verdict in a sentence; `detail` ("with a different number") qualifies a translation or paraphrase that is
    reported as altered."""
    if detail:
        return f"{verdict.value}, {detail}: the source states otherwise (see the differences)"
    return _EXPLANATIONS[verdict]
