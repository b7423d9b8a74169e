"""People in documents: name folding across scripts, mention extraction, curation and resolution."""

from indexing.persons.curation import KnownPerson, load_known_persons
from indexing.persons.extract import PersonMention, find_person_mentions
from indexing.persons.keys import person_keys, surname_key
from indexing.persons.names import fold_homoglyphs, name_key, name_tokens_key, script_of, to_latin
from indexing.persons.resolve import (
    PersonIndex,
    PersonRecord,
    match_persons,
    record_names,
    resolve_persons,
    same_person,
)

__all__ = [
    "KnownPerson",
    "PersonIndex",
    "PersonMention",
    "PersonRecord",
    "find_person_mentions",
    "fold_homoglyphs",
    "load_known_persons",
    "match_persons",
    "name_key",
    "name_tokens_key",
    "person_keys",
    "record_names",
    "resolve_persons",
    "same_person",
    "script_of",
    "surname_key",
    "to_latin",
]
