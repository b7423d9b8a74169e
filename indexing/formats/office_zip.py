"""Office documents are ZIP packages: opened with a bound on what they unpack to (no ZIP bomb fills the memory)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from archive.errors import ExtractionError

MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 10_000


def open_package(path: Path, kind: str) -> zipfile.ZipFile:
    """The ZIP package of an office document; `ExtractionError` if it is damaged or unpacks to too much."""
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(f"damaged {kind}: it is not a readable ZIP package") from exc
    members = package.infolist()
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
        package.close()
        raise ExtractionError(
            f"{kind} unpacks to {unpacked // (1024 * 1024)} MB in {len(members)} parts; the limit is "
            f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB"
        )
    return package


def member_names(head: bytes) -> bytes:
    """The first bytes of a ZIP file, where the names of its first members stand (enough to tell its kind)."""
    return head if head.startswith(b"PK\x03\x04") else b""
