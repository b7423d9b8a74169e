"""The file formats the archive reads, registered in one place: by name, by content, and how each is read.

Every format is a small module with a `read(path, context) -> ExtractedText` function; `FORMATS` says which names
and first bytes belong to it. `detect` decides a file's format from both (the name proposes, the content must agree:
a `.pdf` that is a ZIP is refused), and a file whose name says nothing is recognised by its content alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

from archive.errors import ExtractionError, UnsupportedFileTypeError
from indexing.extract import ExtractedText, ExtractionLimits
from indexing.formats import (
    docx,
    email_message,
    html,
    image,
    mbox,
    odt,
    outlook,
    pdf,
    plain,
)
from indexing.formats.context import ReadContext
from indexing.formats.sniff import describe

__all__ = ["FORMATS", "FileFormat", "ReadContext", "detect", "read", "skip_reason", "SUPPORTED_SUFFIXES"]

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileFormat:
    """One readable format: its name, the file name endings that claim it, and how its content is recognised."""

    name: str  # stored as the document's `format`
    suffixes: tuple[str, ...]
    accepts: Callable[[bytes], bool]  # do these first bytes fit the format?
    claims: Callable[[bytes], bool]  # do these first bytes show this format even without a telling name?
    read: Callable[[Path, ReadContext], ExtractedText]


FORMATS: tuple[FileFormat, ...] = (
    FileFormat("pdf", (".pdf",), pdf.accepts, pdf.claims, pdf.read),
    FileFormat("text", (".txt", ".md"), plain.accepts, lambda head: False, plain.read),
    FileFormat("html", (".html", ".htm", ".xhtml"), html.accepts, html.claims, html.read),
    FileFormat("mhtml", (".mhtml", ".mht"), html.accepts_mhtml, lambda head: False, html.read_mhtml),
    FileFormat("docx", (".docx",), docx.accepts, docx.claims, docx.read),
    FileFormat("odt", (".odt",), odt.accepts, odt.claims, odt.read),
    FileFormat("eml", (".eml",), email_message.accepts, email_message.claims, email_message.read),
    FileFormat("mbox", (".mbox", ".mbx"), mbox.accepts, mbox.claims, mbox.read),
    FileFormat("msg", (".msg",), outlook.accepts, outlook.accepts, outlook.read),
    FileFormat("image", (".jpg", ".jpeg", ".png", ".tif", ".tiff"), image.accepts, image.accepts, image.read),
)
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(suffix for fmt in FORMATS for suffix in fmt.suffixes)
_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
SUPPORTED = ", ".join(SUPPORTED_SUFFIXES)


def detect(filename: str, head: bytes) -> FileFormat:
    """The format of a file from its name and first bytes; raises `UnsupportedFileTypeError` (415) with the reason.

    A known ending must agree with the content; an unknown or missing ending is read by its content alone."""
    suffix = PurePath(filename).suffix.lower()
    named = _BY_SUFFIX.get(suffix)
    if named is not None:
        if named.accepts(head):
            return named
        shown = describe(head) or ("binary data" if b"\x00" in head else "text")
        raise UnsupportedFileTypeError(f"{filename} is {shown}, not a {suffix} file (supported: {SUPPORTED})")
    by_content = next((fmt for fmt in FORMATS if fmt.claims(head)), None)
    if by_content is not None:
        return by_content
    what = describe(head)
    shown = suffix or "(no extension)"
    raise UnsupportedFileTypeError(
        f"unsupported file type {shown}{f' ({what})' if what else ''} (supported: {SUPPORTED})"
    )


def detect_file(path: Path, filename: str | None = None) -> FileFormat:
    """`detect` on a file's name (or `filename`) and its first bytes (`ExtractionError` if it cannot be read)."""
    try:
        with Path(path).open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror or exc})") from exc
    if not head:
        raise ExtractionError("empty file")
    return detect(filename or Path(path).name, head)


def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder is not submitted (an unsupported type), or None when it can be read."""
    try:
        detect_file(path)
    except UnsupportedFileTypeError as error:
        return str(error)
    except ExtractionError:
        return None  # submitted, so that its job fails with the reason
    return None


def read(
    path: Path,
    filename: str | None = None,
    limits: ExtractionLimits | None = None,
    on_page: Callable[[int], None] | None = None,
) -> tuple[FileFormat, ExtractedText]:
    """Detect a stored file's format (by `filename`, the name it was submitted under, and its content) and read it.

    Raises `ExtractionError` (a file that cannot be read, with the reason) or `UnsupportedFileTypeError`."""
    fmt = detect_file(path, filename)
    return fmt, fmt.read(Path(path), ReadContext(limits or ExtractionLimits(), on_page, filename or Path(path).name))
