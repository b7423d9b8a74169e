"""Person records across documents, incremental identity resolution, and name lookup.

Identity: two full names are the same person when their :func:`person_keys` intersect (order,
script, romanisation and feminine endings folded). A one-word name (surname only) or an initial
("M. Ablyazov") joins the one known person it fits; when it fits several, it stays unresolved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from indexing.persons.curation import KnownPerson
from indexing.persons.extract import PersonMention
from indexing.persons.keys import core_tokens, initial_of, is_full_name, person_keys, surname_key
from indexing.persons.names import fold_homoglyphs, masculine_key, name_tokens_key


@dataclass(frozen=True)
class PersonRecord:
    """One person: canonical name, every known form of the name, and the identity keys."""

    name: str
    aliases: tuple[str, ...]
    keys: frozenset[str]


def same_person(a: str, b: str) -> bool:
    """True when two names can denote the same person.

    Full names must share an identity key; a surname-only name matches a full name with that
    surname, and an initial form ("M. Ablyazov") a full name with that surname and initial.
    Surname matches are only safe when no other candidate has the surname (see ``PersonIndex``).
    """
    if person_keys(a) & person_keys(b):
        return True
    full_a, full_b = is_full_name(a), is_full_name(b)
    if full_a == full_b:
        return False
    short, full = (b, a) if full_a else (a, b)
    if surname_key(short) not in {surname_key(full), *core_tokens(full)[-1:]}:
        return False
    initial = initial_of(short)
    return not initial or core_tokens(full)[0].startswith(initial)


class PersonIndex:
    """Incremental name -> person id resolution, for ingesting documents one at a time.

    Register every known alias with :meth:`add`; for a new mention name call :meth:`lookup`
    and, if it returns ``None``, create a person and :meth:`add` the name under its id.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, int] = {}
        self._by_surname: dict[str, set[int]] = defaultdict(set)
        self._given: dict[int, set[str]] = defaultdict(set)
        self.names: set[tuple[int, str]] = set()  # every (person id, name) registered

    def add(self, person_id: int, name: str) -> None:
        """Register ``name`` (a full name, alias or lone surname) as a name of ``person_id``."""
        self.names.add((person_id, name))
        for key in person_keys(name):
            self._by_key.setdefault(key, person_id)
        if is_full_name(name):
            core = core_tokens(name)
            self._by_surname[surname_key(name)].add(person_id)
            self._by_surname[masculine_key(surname_key(name))].add(person_id)
            self._given[person_id].add(core[0])
        elif not initial_of(name):
            self._by_surname[surname_key(name)].add(person_id)

    def lookup(self, name: str) -> int | None:
        """The id of the person ``name`` denotes, or ``None`` when unknown or ambiguous."""
        for key in person_keys(name):
            if key in self._by_key and (is_full_name(name) or not initial_of(name)):
                return self._by_key[key]
        if is_full_name(name):
            return None
        ids = self._by_surname.get(surname_key(name), set())
        initial = initial_of(name)
        if initial:
            ids = {i for i in ids if any(g.startswith(initial) for g in self._given[i])}
        return next(iter(ids)) if len(ids) == 1 else None


def resolve_persons(
    mentions_by_doc: Mapping[str, Sequence[PersonMention]],
    known: Sequence[KnownPerson],
    texts: Mapping[str, str] | None = None,
) -> list[PersonRecord]:
    """Group mention names of all documents, plus the curated persons, into person records.

    Curated persons come first (in file order), then new persons in order of first mention.
    With ``texts`` (document text by the same keys), the full-name spellings found in the text
    ("Victor Khrapunov" for "Viktor Khrapunov") become aliases too.
    """
    index = PersonIndex()
    aliases: list[list[str]] = []
    counts: list[Counter[str]] = []
    canonical: list[str | None] = []

    def new(name: str, curated: bool) -> int:
        pid = len(aliases)
        aliases.append([])
        counts.append(Counter())
        canonical.append(name if curated else None)
        return pid

    def attach(pid: int, name: str) -> None:
        index.add(pid, name)
        if name not in aliases[pid]:
            aliases[pid].append(name)

    for person in known:
        pid = new(person.name, curated=True)
        for name in (person.name, *person.aliases):
            attach(pid, name)
    names = [m.name for doc in sorted(mentions_by_doc) for m in mentions_by_doc[doc]]
    for name in sorted(set(names), key=lambda n: (not is_full_name(n), names.index(n))):
        found = index.lookup(name)
        attach(new(name, curated=False) if found is None else found, name)
    for name in names:
        found = index.lookup(name)
        if found is not None:
            counts[found][name] += 1
    for doc, text in (texts or {}).items():
        for m in mentions_by_doc.get(doc, ()):
            surface = " ".join(fold_homoglyphs(text[m.char_start : m.char_end]).split())
            found = index.lookup(m.name)
            if (
                found is not None
                and is_full_name(surface)
                and not initial_of(surface)
                and surface not in aliases[found]
            ):
                aliases[found].append(surface)

    records: list[PersonRecord] = []
    for pid, forms in enumerate(aliases):
        full = [f for f in forms if is_full_name(f)] or forms
        name = canonical[pid] or max(full, key=lambda f: (counts[pid][f], -forms.index(f)))
        keys = frozenset(k for f in forms for k in person_keys(f))
        records.append(PersonRecord(name=name, aliases=tuple(forms), keys=keys))
    return records


def _score(query: tuple[str, ...], alias: tuple[str, ...]) -> float:
    """How well query token keys match one alias's token keys (1.0 = same name)."""
    if not query or not alias:
        return 0.0
    if query == alias:
        return 1.0
    q_core = [masculine_key(t) for t in query if len(t) > 1]
    a_core = [masculine_key(t) for t in alias if len(t) > 1]
    if len(q_core) >= 2 and sorted(q_core) == sorted(a_core):
        return 0.95
    initials = [t for t in query if len(t) == 1]
    if len(q_core) >= 2 and len(a_core) >= 2 and (set(a_core) <= set(q_core) or set(q_core) <= set(a_core)):
        return 0.9
    if len(q_core) == 1:
        q = q_core[0]
        if initials and not any(t.startswith(initials[0]) for t in alias[:-1]):
            return 0.0
        if query[-1] == alias[-1] or (len(alias) == 1 and q == a_core[0]):
            return 0.85
        if q == a_core[-1]:
            return 0.8
        if query[-1] in alias:
            return 0.7
        if q in a_core:
            return 0.65
    sims = []
    for q in q_core or list(query):
        best = 0.0
        for a in alias:
            if len(q) >= 3 and a.startswith(q):
                best = max(best, 0.9)
            best = max(best, SequenceMatcher(None, q, a).ratio())
        sims.append(best)
    avg = sum(sims) / len(sims)
    return 0.6 * avg if avg >= 0.75 else 0.0


def match_persons(query: str, candidates: Mapping[int, Sequence[str]], limit: int = 10) -> list[tuple[int, float]]:
    """Rank person ids by how well ``query`` (any script, full name or surname) matches their names.

    Scores: exact key 1.0 > reordered full name 0.95 > full name with a name part more or less
    0.9 > surname only 0.85 > other name part 0.65-0.8 > fuzzy or prefix match (at most 0.6).
    """
    q = name_tokens_key(query)
    scored: list[tuple[int, float, int]] = []
    for pid, names in candidates.items():
        best = max((_score(q, name_tokens_key(n)) for n in names), default=0.0)
        if best > 0:
            scored.append((pid, round(best, 4), len(names)))
    # equal scores (a shared surname): the person known under more forms first, then the lower id
    scored.sort(key=lambda x: (-x[1], -x[2], x[0]))
    return [(pid, score) for pid, score, _ in scored[:limit]]


def record_names(records: Iterable[PersonRecord]) -> dict[int, tuple[str, ...]]:
    """Candidates for :func:`match_persons` from resolved records, keyed by list position."""
    return {i: (r.name, *r.aliases) for i, r in enumerate(records)}
