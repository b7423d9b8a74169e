"""Outlook messages (.msg, an OLE compound file): read with extract-msg into the same document as an e-mail (see
`email_message`); attachments, embedded messages included, become documents of their own."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import extract_msg
from extract_msg.enums import AttachmentType

from archive.errors import ExtractionError
from indexing.extract import Attachment, ExtractedText
from indexing.formats.context import ReadContext
from indexing.formats.email_message import message_text
from indexing.formats.html import html_text
from indexing.formats.sniff import OLE_MAGIC

logging.getLogger("extract_msg").setLevel(logging.ERROR)  # it logs every unknown property as a warning


def accepts(head: bytes) -> bool:
    return head.startswith(OLE_MAGIC)


def read(path: Path, context: ReadContext) -> ExtractedText:
    try:
        message = extract_msg.openMsg(str(path), delayAttachments=False)
    except Exception as exc:  # extract-msg raises its own errors for a compound file that is no message
        raise ExtractionError(f"not a readable Outlook message ({type(exc).__name__}: {exc})"[:200]) from exc
    try:
        return _text(message)
    finally:
        message.close()


def _text(message: Any) -> ExtractedText:
    warnings: list[str] = []
    attachments = _attachments(message, warnings)
    body = _field(message, "body")
    if not body.strip():
        html = getattr(message, "htmlBody", None)
        body = html_text(html) if isinstance(html, bytes) and html.strip() else ""
    moment = getattr(message, "date", None)
    return message_text(
        subject=_field(message, "subject"),
        sender=_field(message, "sender"),
        to=_field(message, "to"),
        cc=_field(message, "cc"),
        date=moment.isoformat(sep=" ") if moment is not None else "",
        moment=moment,
        body=body,
        attachments=attachments,
        warnings=warnings,
        message_id=_field(message, "messageId"),
    )


def _attachments(message: Any, warnings: list[str]) -> list[Attachment]:
    found: list[Attachment] = []
    for number, attachment in enumerate(getattr(message, "attachments", []) or [], start=1):
        name = (
            getattr(attachment, "longFilename", None) or getattr(attachment, "shortFilename", None) or ""
        ).strip() or f"attachment-{number}"
        try:
            kind = attachment.type
            if kind == AttachmentType.MSG:
                data = attachment.data.exportBytes()
                name = name if name.lower().endswith(".msg") else f"{name}.msg"
            elif kind == AttachmentType.DATA:
                data = attachment.data
            else:
                warnings.append(f"attachment {name!r} is of a kind that cannot be read ({kind.name}); not ingested")
                continue
        except Exception as exc:  # a damaged attachment stream
            warnings.append(f"attachment {name!r} cannot be read ({type(exc).__name__}); not ingested")
            continue
        if not isinstance(data, bytes) or not data:
            warnings.append(f"attachment {name!r} is empty; not ingested")
            continue
        found.append(Attachment(name, data))
    return found


def _field(message: Any, name: str) -> str:
    try:
        value = getattr(message, name, None)
    except Exception:  # a damaged property stream
        return ""
    if not value:
        return ""
    return str(value) if name == "body" else " ".join(str(value).split())
