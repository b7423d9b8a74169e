"""Mailboxes (.mbox): every message becomes a document of its own (an `.eml` child, with its attachments); the
mailbox itself is a document listing its messages (number, date, sender, subject)."""

from __future__ import annotations

import email
import email.policy
import mailbox
from pathlib import Path, PurePath

from archive.errors import ExtractionError
from indexing.extract import Attachment, ExtractedText, clean_page_text
from indexing.formats.context import ReadContext
from indexing.formats.sniff import is_text, text_start
from indexing.manifest import DocumentMetadata


def accepts(head: bytes) -> bool:
    return is_text(head) and text_start(head).startswith("from ")


def claims(head: bytes) -> bool:
    return accepts(head) and "\n" in text_start(head) and ":" in text_start(head).split("\n", 2)[1]


def read(path: Path, context: ReadContext) -> ExtractedText:
    stem = PurePath(context.filename).stem or "mailbox"
    try:
        box = mailbox.mbox(str(path), create=False)
        keys = list(box.keys())
    except (OSError, mailbox.Error) as exc:
        raise ExtractionError(f"the mailbox cannot be read ({exc})") from exc
    lines: list[str] = []
    messages: list[Attachment] = []
    warnings: list[str] = []
    for number, key in enumerate(keys, start=1):
        try:
            data = box.get_bytes(key)
        except (OSError, mailbox.Error, KeyError) as exc:
            warnings.append(f"message {number} of the mailbox cannot be read ({type(exc).__name__}); not ingested")
            continue
        if not data.strip():
            warnings.append(f"message {number} of the mailbox is empty; not ingested")
            continue
        headers = email.message_from_bytes(data, policy=email.policy.default)
        summary = " — ".join(_header(headers, name) or "?" for name in ("Date", "From", "Subject"))
        lines.append(f"{number}. {summary}")
        messages.append(Attachment(f"{stem} {number:04d}.eml", data))
    box.close()
    if not messages:
        raise ExtractionError("no messages in the mailbox")
    title = f"Mailbox {stem}: {len(messages)} messages"
    text = clean_page_text(f"{title}\n\n" + "\n".join(lines))
    properties = {"messages": str(len(messages))}
    return ExtractedText(
        text, (), title, DocumentMetadata(kind="mailbox"), properties, tuple(messages), tuple(warnings)
    )


def _header(message: email.message.Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # an undecodable header
        return ""
    return " ".join(str(value).split()) if value is not None else ""
