"""Document metadata: a `manifest.json` beside the files, or what the text itself tells."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archive.access import clean_groups, parse_visibility
from archive.errors import InvalidInputError
from archive.models import Document
from indexing.dates import StatedDate, parse_iso
from language.scripts import LANGUAGES

MANIFEST_NAME = "manifest.json"
DESCRIBED_FIELDS = ("title", "publisher", "published", "kind", "language")  # what an upload may state, as a manifest


@dataclass(frozen=True)
class DocumentMetadata:
    title: str | None = None
    publisher: str | None = None
    published: StatedDate | None = None
    language: str | None = None
    kind: str | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    visibility: str | None = None  # public, internal or restricted
    groups: tuple[str, ...] = ()  # who may read it when restricted


def metadata_for(path: Path) -> DocumentMetadata:
    """The manifest entry for a file (from `manifest.json` in its folder), or empty metadata."""
    manifest = path.parent.resolve() / MANIFEST_NAME
    if not manifest.is_file():
        return DocumentMetadata()
    return _load_manifest(manifest, manifest.stat().st_mtime_ns).get(path.name, DocumentMetadata())


@lru_cache(maxsize=64)
def _load_manifest(manifest: Path, _changed: int) -> dict[str, DocumentMetadata]:
    """A manifest's entries, read again when the file changes (a long-running worker sees an edited manifest)."""
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        return {name: parse_entry(entry) for name, entry in entries.items()}
    except (ValueError, TypeError, AttributeError, InvalidInputError) as error:
        raise InvalidInputError(f"{manifest} is not a valid manifest: {error}") from error


def parse_entry(entry: Mapping) -> DocumentMetadata:
    """One file's entry (a manifest's, or the fields of an upload); `published` is ISO 8601 at the precision the
    source states (2021-05-05, 2021-05, 2021 or START/END), `language` one of the archive's (en, ru, kk), `authors` a
    list of names, `url` where the source was published, `visibility` and `groups` who may read it. Raises
    InvalidInputError naming the field that is wrong."""
    if not isinstance(entry, Mapping):
        raise InvalidInputError("an entry must be an object of fields")
    published, authors = _text(entry, "published"), entry.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    language = _text(entry, "language")
    if language is not None and language not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        raise InvalidInputError(f"language: {language!r} is not one of the archive's languages ({known})")
    try:
        stated = parse_iso(published) if published else None
    except InvalidInputError as error:
        raise InvalidInputError(f"published: {error}") from None
    return DocumentMetadata(
        title=_text(entry, "title"),
        publisher=_text(entry, "publisher"),
        published=stated,
        language=language,
        kind=_text(entry, "kind"),
        authors=tuple(str(name) for name in authors),
        url=_text(entry, "url"),
        visibility=parse_visibility(entry["visibility"]).value if entry.get("visibility") else None,
        groups=tuple(clean_groups(entry.get("groups") or [])),
    )


def _text(entry: Mapping, name: str) -> str | None:
    """A text field of an entry, its white space tidied; None when absent or blank."""
    value = entry.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"{name}: must be text, not {type(value).__name__}")
    return " ".join(value.split()) or None


def submitted_metadata(entry_json: str | None, source_path: str | None) -> DocumentMetadata:
    """What the submitter states about a file: the entry given with an upload (JSON, checked by `parse_entry` when
    it was received), else the manifest entry beside the file it was submitted from, else nothing."""
    if entry_json:
        return parse_entry(json.loads(entry_json))
    return metadata_for(Path(source_path)) if source_path else DocumentMetadata()


def with_defaults(metadata: DocumentMetadata, stated: DocumentMetadata) -> DocumentMetadata:
    """The manifest's metadata, each field it leaves empty taken from what the file itself states (`stated`)."""
    return DocumentMetadata(
        title=metadata.title or stated.title,
        publisher=metadata.publisher or stated.publisher,
        published=metadata.published or stated.published,
        language=metadata.language or stated.language,
        kind=metadata.kind or stated.kind,
        authors=metadata.authors or stated.authors,
        url=metadata.url or stated.url,
        visibility=metadata.visibility,
        groups=metadata.groups,
    )


def apply_metadata(document: Document, metadata: DocumentMetadata) -> bool:
    """Set on `document` what the manifest states (a title only when it gives one); True when anything changed."""
    wanted = {
        "publisher": metadata.publisher,
        "published": metadata.published.start if metadata.published else None,
        "published_end": metadata.published.end if metadata.published else None,
        "authors": "; ".join(metadata.authors) or None,
        "url": metadata.url,
        "kind": metadata.kind,
    }
    if metadata.title:
        wanted["title"] = metadata.title
    if metadata.language:
        wanted["language"] = metadata.language
    changed = False
    for name, value in wanted.items():
        if getattr(document, name) != value:
            setattr(document, name, value)
            changed = True
    return changed
