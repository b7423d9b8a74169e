"""Which submitted files the archive can read: refused before anything is stored, by name and by first bytes.

The formats and how each is recognised are registered in `indexing.formats`. A known ending whose content shows
another format (a `.pdf` that is a ZIP, a `.txt` that is a PDF or binary data) is refused, and so is a file
whose name and content fit no format; a file that merely fails to parse (a damaged PDF, text that is not UTF-8) is
accepted and its job fails with the reason.
"""

from typing import BinaryIO

from indexing.formats import SNIFF_BYTES, detect


def check_file_type(filename: str, head: bytes) -> None:
    """Raise `UnsupportedFileTypeError` (415) unless `filename` and its first bytes `head` fit a readable format."""
    detect(filename, head)


def check_stream_type(stream: BinaryIO, filename: str) -> None:
    """`check_file_type` on a seekable stream's first bytes; the stream is left at its start."""
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    check_file_type(filename, head)
