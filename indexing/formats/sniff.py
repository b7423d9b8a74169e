"""What a file's first bytes show: magic numbers of the formats the archive meets, and whether it is text."""

from __future__ import annotations

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # readers accept "%PDF-" anywhere in the first KiB
IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
}
OTHER_FORMATS = {  # first bytes → what the file is
    ZIP_MAGIC: "a ZIP archive (or an office document)",
    OLE_MAGIC: "an old Microsoft Office document (or an Outlook message)",
    b"{\\rtf": "an RTF document",
    **IMAGE_MAGIC,
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"Rar!\x1a\x07": "a RAR archive",
    b"\x7fELF": "a program",
    b"MZ": "a Windows program",
}


def describe(head: bytes) -> str | None:
    """What known format the first bytes of a file show ("a ZIP archive", "a PDF", ...), or None."""
    if PDF_MAGIC in head[:PDF_HEADER_WINDOW]:
        return "a PDF"
    return next((name for magic, name in OTHER_FORMATS.items() if head.startswith(magic)), None)


def is_text(head: bytes) -> bool:
    """Whether the first bytes can be text: no NUL byte and no other format's magic number."""
    return b"\x00" not in head and describe(head) is None


def text_start(head: bytes, size: int = 1024) -> str:
    """The start of a text file, lower-cased, BOM and leading white space dropped, for content checks."""
    return head[:size].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").lower()
