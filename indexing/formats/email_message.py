"""E-mail messages (.eml, RFC 5322): one document per message, its attachments each a document of their own.

The document's text is a short header block (From, To, Cc, Date, Subject, Attachments) and the body: the plain
text part, else the HTML part as text; inline text parts of a mixed message are all kept, alternatives only once.
Every other part is an attachment (a forwarded message becomes a `.eml` of its own); one that cannot be decoded is
named in the warnings, never dropped silently.
"""

from __future__ import annotations

import email
import email.policy
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from archive.errors import ExtractionError
from indexing.dates import parse_iso
from indexing.extract import Attachment, ExtractedText, clean_page_text
from indexing.formats.context import ReadContext
from indexing.formats.html import html_text
from indexing.formats.sniff import is_text, text_start
from indexing.manifest import DocumentMetadata
from indexing.mojibake import repair_mojibake

_HEADER_LINE = re.compile(r"^[a-z][a-z0-9-]*:", re.MULTILINE)
_TELLING = ("from:", "to:", "subject:", "date:", "message-id:", "received:", "mime-version:", "return-path:")
_BODY_TYPES = ("text/plain", "text/html")


@dataclass
class MessageParts:
    """What a message is made of, read in one walk over its MIME tree."""

    body: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def accepts(head: bytes) -> bool:
    return is_text(head)


def claims(head: bytes) -> bool:
    start = text_start(head, 4096)
    if not _HEADER_LINE.match(start):
        return False
    lines = {line.split(":", 1)[0] + ":" for line in start.splitlines() if ":" in line}
    return len(lines.intersection(_TELLING)) >= 2


def read(path: Path, context: ReadContext) -> ExtractedText:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise ExtractionError("empty file")
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not any(message.get(name) for name in ("From", "To", "Subject", "Date")):
        raise ExtractionError("not an e-mail message (no From, To, Subject or Date header)")
    parts = MessageParts()
    _walk(message, parts)
    return message_text(
        subject=_header(message, "Subject"),
        sender=_header(message, "From"),
        to=_header(message, "To"),
        cc=_header(message, "Cc"),
        date=_header(message, "Date"),
        moment=_moment(_header(message, "Date")),
        body="\n\n".join(parts.body),
        attachments=parts.attachments,
        warnings=[*parts.warnings, *_defects(message)],
        message_id=_header(message, "Message-ID"),
    )


def message_text(
    *,
    subject: str,
    sender: str,
    to: str,
    cc: str,
    date: str,
    moment: datetime | None,
    body: str,
    attachments: Iterable[Attachment],
    warnings: Iterable[str],
    message_id: str = "",
) -> ExtractedText:
    """A message as a document: its header block and body as the text, the subject as the title, the sender as the
    author, the day it was sent as the date; sender, recipients and the rest as properties."""
    attachments = tuple(attachments)
    header = [
        ("From", sender),
        ("To", to),
        ("Cc", cc),
        ("Date", date),
        ("Subject", subject),
        ("Attachments", ", ".join(a.filename for a in attachments)),
    ]
    lines = [f"{name}: {value}" for name, value in header if value]
    text = repair_mojibake(clean_page_text("\n".join(lines) + "\n\n" + clean_page_text(body)))
    if not text.strip():
        raise ExtractionError("the e-mail message is empty")
    properties = {
        key: value
        for key, value in (
            ("from", sender),
            ("to", to),
            ("cc", cc),
            ("date", date),
            ("subject", subject),
            ("message_id", message_id),
        )
        if value
    }
    metadata = DocumentMetadata(
        published=parse_iso(moment.date().isoformat()) if moment is not None else None,
        authors=tuple(_names(sender)),
        kind="e-mail",
    )
    return ExtractedText(text, (), subject or None, metadata, properties, attachments, tuple(warnings))


def _walk(part: Message, parts: MessageParts) -> None:
    """Sort a MIME tree into body texts and attachments (of a multipart/alternative, the plain text is read, else
    the HTML, else the last alternative)."""
    if part.get_content_type() == "message/rfc822":
        _attach_message(part, parts)
        return
    if part.is_multipart():
        children = list(part.get_payload()) if isinstance(part.get_payload(), list) else []
        if part.get_content_subtype() == "alternative" and children:
            by_type = {child.get_content_type(): child for child in reversed(children)}
            chosen = by_type.get("text/plain") or by_type.get("text/html") or children[-1]
            children = [chosen]
        for child in children:
            _walk(child, parts)
        return
    if part.get_content_type() in _BODY_TYPES and not _is_attachment(part):
        text = _text_of(part, parts)
        if text.strip():
            parts.body.append(text)
        return
    _attach(part, parts)


def _is_attachment(part: Message) -> bool:
    return part.get_content_disposition() == "attachment" or bool(part.get_filename())


def _text_of(part: Message, parts: MessageParts) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    if part.get_content_type() == "text/html":
        return html_text(data) if data.strip() else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        parts.warnings.append(f"a text part is not valid {charset}; undecodable bytes were replaced")
        return data.decode("utf-8", errors="replace")


def _attach(part: Message, parts: MessageParts) -> None:
    number = len(parts.attachments) + 1
    name = _filename(part, number)
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:  # a damaged transfer encoding: named, not dropped
        parts.warnings.append(f"attachment {name!r} cannot be decoded ({type(exc).__name__}); it was not ingested")
        return
    if not isinstance(payload, bytes) or not payload:
        parts.warnings.append(f"attachment {name!r} is empty; it was not ingested")
        return
    for defect in part.defects:
        parts.warnings.append(f"attachment {name!r} is damaged ({_defect(defect)}); what could be decoded was kept")
    parts.attachments.append(Attachment(name, payload))


def _attach_message(part: Message, parts: MessageParts) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    number = len(parts.attachments) + 1
    if not isinstance(inner, Message):
        parts.warnings.append(f"attached message {number} cannot be read; it was not ingested")
        return
    subject = _header(inner, "Subject")
    stem = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", " ", subject).strip()[:80] or f"message-{number}"
    name = part.get_filename() or f"{stem}.eml"
    try:
        data = inner.as_bytes(policy=email.policy.SMTP)
    except Exception as exc:  # a message the library cannot serialise again
        parts.warnings.append(f"attached message {name!r} cannot be read ({type(exc).__name__}); not ingested")
        return
    parts.attachments.append(Attachment(name, data))


def _filename(part: Message, number: int) -> str:
    try:
        name = part.get_filename()
    except Exception:  # a malformed RFC 2231 parameter
        name = None
    if name and name.strip():
        return name.strip()
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment-{number}{extension}"


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot decode
        value = message.get_all(name, [None])[0] if isinstance(message, EmailMessage) else None
    return " ".join(str(value).split()) if value is not None else ""


def _moment(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _names(addresses: str) -> list[str]:
    """The people of an address header: display names where given, else the addresses."""
    return [name or address for name, address in getaddresses([addresses]) if name or address]


def _defects(message: Message) -> list[str]:
    return [f"the message is malformed ({_defect(defect)}); what could be read was kept" for defect in message.defects]


def _defect(defect: Exception) -> str:
    return str(getattr(defect, "__doc__", "") or type(defect).__name__).strip().splitlines()[0].rstrip(".")
