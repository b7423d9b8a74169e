"""Web pages, Word and OpenDocument files, e-mail and images: real files from public test corpora (see
tests/data/LICENSES.md), read into documents with exact citations, their attachments and messages accounted for."""

import json
import shutil
import zipfile
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

import api.cli
from api.cli import cli
from api.services import Services
from archive.errors import ExtractionError, UnsupportedFileTypeError
from archive.models import Document, IngestJob, Passage
from archive.settings import Settings
from indexing import formats
from indexing.pipeline import collect_files
from tests.fakes import FakeEmbedder

DATA = Path(__file__).parent.parent / "data" / "formats"
HTML = DATA / "anarc_cdpath_replacements.html"
NAVIGATION = ("Bio", "Contact", "Add a comment", "Presentation tools", "debian-planet", "Created", "Edited")
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def write_odt(path: Path) -> None:
    """A small OpenDocument text as LibreOffice writes it: heading, paragraphs with spans and spaces, a list, a table,
    a table of contents (left out) and its metadata."""
    ns = (
        f'xmlns:office="{OFFICE}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body><office:text>'
        "<text:table-of-content><text:p>Contents ...... 1</text:p></text:table-of-content>"
        '<text:h text:outline-level="1">Monitoring report</text:h>'
        '<text:p>The trial of <text:span>Max Bokayev</text:span> opened in Atyrau.<text:s text:c="2"/>'
        "The court<text:line-break/>refused bail.</text:p>"
        "<text:list><text:list-item><text:p>Witnesses did not appear.</text:p></text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>Date</text:p></table:table-cell>"
        "<table:table-cell><text:p>Event</text:p></table:table-cell></table:table-row>"
        "<table:table-row><table:table-cell><text:p>2016-11-28</text:p></table:table-cell>"
        "<table:table-cell><text:p>Sentenced to five years</text:p></table:table-cell></table:table-row>"
        "</table:table></office:text></office:body></office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ns}><office:meta>'
        "<dc:title>Monitoring report: Atyrau</dc:title><meta:initial-creator>Trial Monitor</meta:initial-creator>"
        "<meta:creation-date>2016-12-01T10:00:00</meta:creation-date></office:meta></office:document-meta>"
    )
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", content)
        package.writestr("meta.xml", meta)


def mixed_folder(folder: Path) -> Path:
    """The real fixtures, an OpenDocument text and an unsupported ZIP in one folder."""
    shutil.copytree(DATA, folder)
    write_odt(folder / "monitoring.odt")
    with zipfile.ZipFile(folder / "bundle.zip", "w") as bundle:
        bundle.writestr("readme.txt", "zipped")
    return folder


def test_the_web_page_keeps_its_main_text_title_and_date_and_no_navigation():
    fmt, extracted = formats.read(HTML)
    assert fmt.name == "html"
    assert extracted.title_hint == "CDPATH replacements"
    assert extracted.metadata.published is not None and extracted.metadata.published.iso == "2020-10-18"
    assert extracted.metadata.language == "en"
    assert "autojump" in extracted.text and "zoxide" not in extracted.text.split("\n")[0]
    for words in NAVIGATION:
        assert words not in extracted.text, words
    assert extracted.text.count(".shenv") == 1  # inline code is read with its paragraph, not again on its own


def test_word_and_opendocument_text_keep_headings_paragraphs_tables_and_properties(tmp_path):
    fmt, word = formats.read(DATA / "python_docx_test.docx")
    assert fmt.name == "docx"
    assert word.text == "python-docx was here!\n\npython-docx was here too!"
    assert word.metadata.authors == ("Cisco Employee",) and word.metadata.published.iso == "2013-12-15"
    write_odt(tmp_path / "monitoring.odt")
    fmt, odt = formats.read(tmp_path / "monitoring.odt")
    assert fmt.name == "odt"
    assert odt.text == (
        "Monitoring report\n\nThe trial of Max Bokayev opened in Atyrau. The court refused bail.\n\n"
        "Witnesses did not appear.\n\nDate | Event\n2016-11-28 | Sentenced to five years"
    )
    assert odt.title_hint == "Monitoring report: Atyrau"
    assert odt.metadata.authors == ("Trial Monitor",) and odt.metadata.published.iso == "2016-12-01"


def test_an_email_is_one_document_with_its_header_and_its_attachments_apart():
    fmt, message = formats.read(DATA / "hearing_with_two_attachments.eml")
    assert fmt.name == "eml"
    assert message.title_hint == "Hearing notes and the lawyer's statement"
    assert message.metadata.authors == ("Aigerim Nurlanovna",) and message.metadata.published.iso == "2021-05-05"
    assert message.properties["to"].startswith("Documentation desk <desk@example.org>")
    assert message.properties["cc"] == "archive@example.org"
    assert message.text.startswith("From: Aigerim Nurlanovna <aigerim@example.org>\nTo: ")
    assert "Attachments: hearing-notes.txt, lawyer statement.docx" in message.text
    assert "adjourned until 19 May 2021" in message.text
    assert [a.filename for a in message.attachments] == ["hearing-notes.txt", "lawyer statement.docx"]
    assert message.attachments[1].data == (DATA / "python_docx_test.docx").read_bytes()
    assert message.warnings == ()


def test_every_inline_part_of_a_mixed_message_is_read_or_named():
    _, message = formats.read(DATA / "inline_parts.eml")  # mail-parser's corpus: HTML, an inline "PNG", plain text
    assert "HTML here" in message.text and "Plaintext here." in message.text
    assert [a.filename for a in message.attachments] == ["attachment-1.png"]


def test_outlook_message_and_mailbox():
    fmt, outlook = formats.read(DATA / "outlook_strange_date.msg")
    assert fmt.name == "msg" and outlook.title_hint == "MSG Test File"
    assert "John Doe" in outlook.text and outlook.properties["to"].startswith("time2talk@online-convert.com")
    fmt, box = formats.read(DATA / "three_messages.mbox")
    assert fmt.name == "mbox"
    assert [a.filename for a in box.attachments] == [f"three_messages 000{n}.eml" for n in (1, 2, 3)]
    assert "Test email with email address as display name" in box.text


@pytest.mark.parametrize(
    ("name", "head", "reason"),
    [
        ("report.pdf", b"PK\x03\x04zip", "is a ZIP archive"),
        ("bundle.zip", b"PK\x03\x04zip", "unsupported file type .zip"),
        ("slides.pptx", b"PK\x03\x04zip", "unsupported file type .pptx"),
        ("letter.docx", b"plain words", "is text, not a .docx"),
        ("photo.jpg", b"GIF89a", "is a GIF image"),
        ("program", b"\x7fELF\x00", "(no extension) (a program)"),
    ],
)
def test_formats_are_detected_by_content_as_well_as_by_name(name, head, reason):
    with pytest.raises(UnsupportedFileTypeError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        formats.detect(name, head)


def test_a_file_without_a_telling_name_is_read_by_its_content():
    assert formats.detect("mail_test_14", (DATA / "inline_parts.eml").read_bytes()).name == "eml"
    assert formats.detect("page", HTML.read_bytes()[:8192]).name == "html"
    assert formats.detect("scan", (DATA / "two_pages.tiff").read_bytes()[:64]).name == "image"


def test_damaged_office_files_fail_with_a_reason(tmp_path):
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ExtractionError, match="damaged Word document"):
        formats.read(tmp_path / "broken.docx")
    with zipfile.ZipFile(tmp_path / "bomb.odt", "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("content.xml", b"\x00" * (300 * 1024 * 1024))
    with pytest.raises(ExtractionError, match="unpacks to 300 MB"):
        formats.read(tmp_path / "bomb.odt")


def _jobs(services) -> list[IngestJob]:
    with Session(services.engine) as session:
        return list(session.exec(select(IngestJob).order_by(IngestJob.id)).all())


@pytest.mark.ocr
@pytest.mark.timeout(600)
def test_a_mixed_batch_accounts_for_every_message_and_attachment(tmp_path, monkeypatch):
    folder = mixed_folder(tmp_path / "drive")
    monkeypatch.setattr(api.cli, "_services", lambda ctx: Services.open(ctx.obj, embedder=FakeEmbedder()))
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "ingest", str(folder)])
    output = result.output
    fake_services = Services.open(Settings(data_dir=tmp_path / "data"), embedder=FakeEmbedder())
    assert result.exit_code == 1, output  # the ZIP is skipped, which fails the command like a failure
    assert f"skipped: {folder / 'bundle.zip'}: unsupported file type .zip" in output
    assert "warning: " in output and "attachment-1.png" in output  # the broken inline "PNG" is named
    jobs = _jobs(fake_services)
    by_name = {job.filename: job for job in jobs}
    submitted = {p.name for p in folder.iterdir()} - {"bundle.zip"}
    inside = {"hearing-notes.txt", "lawyer statement.docx", *(f"three_messages 000{n}.eml" for n in (1, 2, 3))}
    assert set(by_name) == submitted | inside
    assert {job.state.value for job in jobs} <= {"indexed", "duplicate"}, [(j.filename, j.reason) for j in jobs]
    assert "15 files (5 of them found inside other files): 13 indexed, 1 duplicate, 0 failed, 1 skipped" in output
    message = by_name["hearing_with_two_attachments.eml"]
    for name in ("hearing-notes.txt", "lawyer statement.docx"):
        assert by_name[name].parent_job_id == message.id
    assert by_name["lawyer statement.docx"].state.value == "duplicate"  # the same file as python_docx_test.docx
    assert json.loads(by_name["inline_parts.eml"].warnings)[0].startswith("attachment 'attachment-1.png' not")

    with Session(fake_services.engine) as session:
        documents = {d.source: d for d in session.exec(select(Document)).all()}
        page = documents["anarc_cdpath_replacements.html"]
        assert (page.title, page.format, page.published.isoformat(), page.language) == (
            "CDPATH replacements",
            "html",
            "2020-10-18",
            "en",
        )
        passages = session.exec(select(Passage)).all()
        for passage in passages:  # citations stay exact in every format
            document = session.get(Document, passage.document_id)
            assert document.text[passage.char_start : passage.char_end] == passage.text
        for passage in (p for p in passages if p.document_id == page.id):
            for words in NAVIGATION:
                assert words not in passage.text
        tiff = documents["two_pages.tiff"]
        assert tiff.page_count == 2 and tiff.format == "image"
        assert "Linzensoep" in tiff.text and "LINN" in tiff.text.upper()
        assert "linzen" in documents["typewriter_page.jpg"].text
        assert json.loads(documents["hearing_with_two_attachments.eml"].properties)["cc"] == "archive@example.org"
        assert documents["monitoring.odt"].title == "Monitoring report: Atyrau"
    fake_services.close()


def test_the_same_article_as_html_and_as_pdf_are_near_duplicates(fake_services, tmp_path):
    _, extracted = formats.read(HTML)  # the article printed to PDF: its main text, a few paragraphs a page
    paragraphs = extracted.text.split("\n\n")
    pdf = pymupdf.open()
    for start in range(0, len(paragraphs), 6):
        text = "\n".join(paragraphs[start : start + 6])
        assert pdf.new_page().insert_textbox(pymupdf.Rect(36, 36, 576, 806), text, fontsize=7) >= 0
    pdf.save(tmp_path / "cdpath.pdf")
    outcomes = fake_services.ingestor.ingest([HTML, tmp_path / "cdpath.pdf"])
    assert [o.state.value for o in outcomes] == ["indexed", "indexed"]
    assert outcomes[1].reason is not None and "near-duplicate of document" in outcomes[1].reason


def test_collect_files_names_every_file_of_a_folder(tmp_path):
    folder = mixed_folder(tmp_path / "drive")
    (folder / "manifest.json").write_text("{}")
    (folder / ".DS_Store").write_bytes(b"\x00\x00")
    found = {p.name for p in collect_files([folder])}
    assert "bundle.zip" in found and "monitoring.odt" in found
    assert "manifest.json" not in found and ".DS_Store" not in found
    assert formats.skip_reason(folder / "bundle.zip") is not None
    assert formats.skip_reason(folder / "monitoring.odt") is None


def test_a_mailbox_submitted_again_still_accounts_for_its_messages(fake_services):
    first = fake_services.ingestor.ingest([DATA / "three_messages.mbox"])
    assert [o.state.value for o in first] == ["indexed"] * 4
    assert [Path(o.path.split(" › ")[-1]).name for o in first[1:]] == [f"three_messages 000{n}.eml" for n in (1, 2, 3)]
    again = fake_services.ingestor.ingest([DATA / "three_messages.mbox"])
    assert [o.state.value for o in again] == ["duplicate", "indexed", "indexed", "indexed"]
    assert [o.document_id for o in again[1:]] == [o.document_id for o in first[1:]]
