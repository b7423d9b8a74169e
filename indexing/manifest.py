"""Document metadata: a `manifest.json` beside the files, or what the text itself tells."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from archive.errors import InvalidInputError

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class DocumentMetadata:
    title: str | None = None
    publisher: str | None = None
    published: date | None = None
    language: str | None = None
    kind: str | None = None


def metadata_for(path: Path) -> DocumentMetadata:
    """The manifest entry for a file (from `manifest.json` in its folder), or empty metadata."""
    return _load_manifest(path.parent.resolve()).get(path.name, DocumentMetadata())


@lru_cache(maxsize=64)
def _load_manifest(folder: Path) -> dict[str, DocumentMetadata]:
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        return {}
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        return {name: _parse_entry(entry) for name, entry in entries.items()}
    except (ValueError, TypeError, AttributeError) as error:
        raise InvalidInputError(f"{manifest} is not a valid manifest: {error}") from error


def _parse_entry(entry: dict) -> DocumentMetadata:
    published = entry.get("published")
    return DocumentMetadata(
        title=entry.get("title"),
        publisher=entry.get("publisher"),
        published=date.fromisoformat(published) if published else None,
        language=entry.get("language"),
        kind=entry.get("kind"),
    )
