"""The curated list of known people and their extra aliases (other scripts and spellings).

File format (JSON)::

    {"persons": [{"name": "Mukhtar Ablyazov", "aliases": ["Мухтар Аблязов", "Мұхтар Әблязов"]}]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from archive.errors import InvalidInputError


@dataclass(frozen=True)
class KnownPerson:
    """A curated person: the canonical name and other forms of it."""

    name: str
    aliases: tuple[str, ...] = ()


def load_known_persons(path: Path) -> list[KnownPerson]:
    """Read a curation file; raise ``InvalidInputError`` naming the problem if it is malformed."""
    label = Path(path).name
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInputError(f"person curation file {label!r} does not exist") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"person curation file {label!r} is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("persons"), list):
        raise InvalidInputError(f"person curation file {label!r} must be an object with a 'persons' list")
    persons: list[KnownPerson] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw["persons"]):
        where = f"{label}: persons[{i}]"
        if not isinstance(entry, dict):
            raise InvalidInputError(f"{where} must be an object with 'name' and 'aliases'")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"{where} needs a non-empty string 'name'")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise InvalidInputError(f"{where} ({name}): 'aliases' must be a list of non-empty strings")
        unknown = set(entry) - {"name", "aliases", "note"}
        if unknown:
            raise InvalidInputError(f"{where} ({name}): unknown field(s) {sorted(unknown)}")
        if name.strip() in seen:
            raise InvalidInputError(f"{where}: duplicate person {name!r}")
        seen.add(name.strip())
        clean = tuple(dict.fromkeys(a.strip() for a in aliases if a.strip() != name.strip()))
        persons.append(KnownPerson(name=name.strip(), aliases=clean))
    return persons
