"""Which submitted files the archive can read: refused before anything is stored, by name and by first bytes.

A name ending in .pdf, .txt or .md is needed. A file whose first bytes say it is another known format (an
archive, an image, an office document, a program) is refused too; a file that merely fails to parse (a damaged
PDF, text that is not UTF-8) is accepted and its job fails with the reason.
"""

from pathlib import PurePath
from typing import BinaryIO

from archive.errors import UnsupportedFileTypeError
from indexing.extract import SUPPORTED_SUFFIXES

SNIFF_BYTES = 8192
PDF_MAGIC = b"%PDF-"
OTHER_FORMATS = {  # first bytes → what the file is
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old Microsoft Office document",
    b"{\\rtf": "an RTF document",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"Rar!\x1a\x07": "a RAR archive",
    b"\x7fELF": "a program",
}
SUPPORTED = ", ".join(SUPPORTED_SUFFIXES)


def sniffed_format(head: bytes) -> str | None:
    """What another format the first bytes of a file show, or None."""
    return next((name for magic, name in OTHER_FORMATS.items() if head.startswith(magic)), None)


def check_file_type(filename: str, head: bytes) -> None:
    """Raise `UnsupportedFileTypeError` (415) unless `filename` and its first bytes `head` fit a readable type."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileTypeError(f"unsupported file type {suffix or '(no extension)'} (supported: {SUPPORTED})")
    other = sniffed_format(head)
    if suffix != ".pdf" and head.startswith(PDF_MAGIC):
        other = "a PDF"
    if suffix != ".pdf" and b"\x00" in head and other is None:
        other = "binary data"
    if other is not None:
        raise UnsupportedFileTypeError(f"{filename} is {other}, not a {suffix} file (supported: {SUPPORTED})")


def check_stream_type(stream: BinaryIO, filename: str) -> None:
    """`check_file_type` on a seekable stream's first bytes; the stream is left at its start."""
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    check_file_type(filename, head)
