"""Parse PDFs (and page images: JPEG, PNG, TIFF frames) with PyMuPDF in a child process, under a time and memory limit.

PyMuPDF is not thread-safe and can crash or balloon on hostile input, so the parent never parses a PDF itself:
`parse_pdf` starts a child from a ``forkserver`` (``spawn`` where that is unavailable), the child sets
``RLIMIT_AS`` and sends back plain data over a pipe, and the parent kills it when it stops making progress.
This module imports only the standard library, PyMuPDF (lazily), `archive.errors` and `indexing.ocr_lines`, so
children start cheaply.
"""

from __future__ import annotations

import glob
import logging
import multiprocessing
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ExtractionError, ParserFailureError
from indexing.ocr_lines import ocr_png, tesseract_command
from language.scripts import CYRILLIC, KAZAKH_LETTER

if TYPE_CHECKING:
    import pymupdf

log = logging.getLogger(__name__)

OCR_LANGUAGES = ("eng", "kaz", "rus")  # order matters, see _Ocr
OCR_DPI = 300
OCR_SHARE = 0.4  # of a page's time budget, for each of its (at most two) OCR runs: a slow page keeps its text
IMAGE_OCR_SHARE = 0.9  # an image has no text layer to fall back on: its OCR may take most of the page's budget
IMAGE_MAX_PIXELS = 40_000_000  # an image frame is OCR'd at its own resolution, scaled down past this
MIN_TEXT_CHARS = 20  # a page with fewer non-space characters and an image is treated as scanned
HEADER_WINDOW = 1024  # readers accept "%PDF-" anywhere in the first KiB
# MuPDF's warnings that a page's content is cut short or missing (a truncated or damaged file)
CONTENT_DAMAGE = ("premature end", "length incorrect", "cannot find object", "missing", "syntax error", "corrupt")
TESSDATA_GLOBS = (
    "/usr/share/tesseract-ocr/*/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


@dataclass(frozen=True)
class ExtractionLimits:
    """Resource limits for parsing one PDF.

    `timeout_s` bounds each step (opening the file, or one page including its OCR): the parent resets the clock
    whenever the child reports a finished page. `memory_mb` is the address space the child may add on top of
    what it has mapped when it starts. `max_pages` rejects oversized documents before any page is read.
    """

    timeout_s: float = 120
    memory_mb: int = 2048
    max_pages: int = 2000


@dataclass(frozen=True)
class RawPage:
    """Uncleaned text of one page and whether it came from OCR."""

    text: str
    ocr: bool


@dataclass(frozen=True)
class RawPdf:
    """What the child sends back: plain, picklable data."""

    pages: tuple[RawPage, ...]
    title: str | None
    ocr_unavailable: bool  # some page looked scanned but no Tesseract language data was found
    damaged_pages: tuple[int, ...] = ()  # 1-based numbers of the pages that could not be read (completely)


def check_pdf_header(path: Path) -> None:
    """Raise `ExtractionError` unless `path` is a non-empty file that starts like a PDF."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEADER_WINDOW)
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror or exc})") from exc
    if not head:
        raise ExtractionError("empty file")
    if b"%PDF-" not in head:
        raise ExtractionError("not a PDF (the file does not start with %PDF)")


def find_tessdata() -> str | None:
    """Locate Tesseract's language data: TESSDATA_PREFIX, the usual folders, then PyMuPDF's own search."""
    env = os.environ.get("TESSDATA_PREFIX")
    if env and Path(env).is_dir():
        return env
    for pattern in TESSDATA_GLOBS:
        for candidate in sorted(glob.glob(pattern), reverse=True):  # newest Tesseract version first
            if Path(candidate, "eng.traineddata").is_file() or glob.glob(f"{candidate}/*.traineddata"):
                return candidate
    try:
        import pymupdf

        found = pymupdf.get_tessdata()
    except Exception:  # PyMuPDF raises plain RuntimeError when Tesseract is absent
        return None
    return found if found and Path(found).is_dir() else None


def ocr_languages(tessdata: str | None) -> tuple[str, ...]:
    """The wanted OCR languages whose traineddata exists in `tessdata`; logs the missing ones."""
    if tessdata is None:
        return ()
    present = tuple(lang for lang in OCR_LANGUAGES if Path(tessdata, f"{lang}.traineddata").is_file())
    missing = [lang for lang in OCR_LANGUAGES if lang not in present]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        log.warning("OCR language data missing in %s: %s (install %s)", tessdata, ", ".join(missing), packages)
    return present


def extract_pdf_in_process(
    path: Path, limits: ExtractionLimits, progress: Callable[[int], None] | None = None, image: bool = False
) -> RawPdf:
    """Parse `path` in the current process (the child's work; call directly only in tests).

    Pages with a usable text layer are read as they are; pages with almost no text but an image are OCR'd.
    With `image`, the file is a picture (each frame of a TIFF a page), OCR'd at its own resolution.
    `progress(page_number)` is called after each page.
    """
    import pymupdf

    doc = _open_image(path) if image else _open_pdf(path)
    with doc:
        if doc.needs_pass:  # MuPDF has already tried the empty user password
            raise ExtractionError("encrypted PDF: a password is needed")
        try:
            count = doc.page_count
        except Exception as exc:  # MuPDF signals damage with generic errors
            _raise_if_out_of_memory(exc)
            raise ExtractionError("damaged PDF: its page list cannot be read") from exc
        if count == 0:
            raise ExtractionError("damaged PDF: no readable pages")
        if count > limits.max_pages:
            raise ExtractionError(f"PDF has {count} pages; the limit is {limits.max_pages}")
        title = None if image else _title(doc)
        ocr = _Ocr(timeout_s=limits.timeout_s * (IMAGE_OCR_SHARE if image else OCR_SHARE))
        pages: list[RawPage] = []
        failed, damaged = 0, []
        for index in range(count):
            pymupdf.TOOLS.mupdf_warnings(reset=True)
            try:
                page = doc.load_page(index)
                pages.append(_read_page(page, ocr, _image_dpi(page) if image else OCR_DPI))
                if _damaged(pages[-1], page, doc.is_repaired, pymupdf.TOOLS.mupdf_warnings(reset=True)):
                    damaged.append(index + 1)
            except Exception as exc:  # one broken page must not lose the rest
                _raise_if_out_of_memory(exc)
                failed += 1
                damaged.append(index + 1)
                pages.append(RawPage("", False))
            if progress is not None:
                progress(index + 1)
        if failed == count:
            raise ExtractionError("damaged PDF: no page could be read")
    return RawPdf(tuple(pages), title, ocr.unavailable, tuple(damaged))


def _damaged(read: RawPage, page: pymupdf.Page, repaired: bool, warnings: str) -> bool:
    """Whether a page was read only in part: MuPDF warned that its content is cut short or missing, or the file
    had to be repaired and the page came out empty (its content lost with the rest of the file)."""
    if any(marker in warnings.lower() for marker in CONTENT_DAMAGE):
        return True
    return repaired and not read.text.strip() and not page.get_images()


def _open_pdf(path: Path) -> pymupdf.Document:
    import pymupdf

    check_pdf_header(path)
    try:
        return pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF reports every kind of damage as a generic error
        _raise_if_out_of_memory(exc)
        raise ExtractionError("damaged PDF: cannot be opened") from exc


def _open_image(path: Path) -> pymupdf.Document:
    """An image file as a PDF of one page per frame (a page's image keeps the frame's pixels)."""
    import pymupdf

    try:
        with pymupdf.open(path) as picture:
            return pymupdf.open("pdf", picture.convert_to_pdf())
    except Exception as exc:
        _raise_if_out_of_memory(exc)
        raise ExtractionError("damaged image: it cannot be opened") from exc


def _image_dpi(page: pymupdf.Page) -> float:
    """The resolution at which a page made from an image renders at the image's own pixel size (bounded)."""
    images = page.get_images()
    if not images or page.rect.width <= 0:
        return OCR_DPI
    width, height = images[0][2], images[0][3]
    scale = min(1.0, (IMAGE_MAX_PIXELS / max(width * height, 1)) ** 0.5)
    return 72 * width * scale / page.rect.width


def _raise_if_out_of_memory(exc: BaseException) -> None:
    """Re-raise MuPDF's allocation failures (plain errors mentioning malloc) as `MemoryError`."""
    if isinstance(exc, MemoryError):
        raise exc
    message = str(exc).lower()  # e.g. "malloc (26106960 bytes) failed", "Director error: <class 'MemoryError'>"
    if any(marker in message for marker in ("malloc", "memoryerror", "out of memory", "cannot allocate")):
        raise MemoryError(str(exc)) from exc


def _title(doc: pymupdf.Document) -> str | None:
    """The metadata title, or None when absent, blank or unreadable."""
    try:
        title = (doc.metadata or {}).get("title")
    except Exception:  # a damaged Info dictionary must not fail the document
        return None
    return (title.strip() or None) if isinstance(title, str) else None


class _Ocr:
    """Lazily resolves Tesseract data once per document and OCRs pages with it.

    Kazakh is tried before Russian: with ``rus`` first Tesseract drops the Kazakh letters (Қазақстан → Казакстан).
    With ``kaz`` first it mangles a few Russian letters (ё, щ, ъ), so a Cyrillic result without any Kazakh-only
    letter is read again with Russian first.
    """

    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s  # one Tesseract run; a page takes at most two
        self._languages: tuple[str, ...] | None = None
        self._tessdata: str | None = None
        self.unavailable = False

    def page_text(self, page: pymupdf.Page, dpi: float = OCR_DPI) -> str | None:
        """OCR text of `page`, or None (and `unavailable` set) when no language data exists."""
        if self._languages is None:
            self._tessdata = find_tessdata()
            self._languages = ocr_languages(self._tessdata)
        if not self._languages:
            self.unavailable = True
            return None
        text = self._run(page, self._languages, dpi)
        if "rus" in self._languages and CYRILLIC.search(text) and not KAZAKH_LETTER.search(text):
            russian_first = sorted(self._languages, key=lambda lang: lang == "kaz")
            text = self._run(page, tuple(russian_first), dpi)
        return text

    def _run(self, page: pymupdf.Page, languages: tuple[str, ...], dpi: float) -> str:
        """Tesseract's confident lines (see `indexing.ocr_lines`), or MuPDF's own OCR without the command."""
        command = tesseract_command()
        if command is not None:
            png = page.get_pixmap(dpi=round(dpi)).tobytes("png")
            return ocr_png(png, languages, self._tessdata, command, self._timeout_s)
        tp = page.get_textpage_ocr(language="+".join(languages), dpi=round(dpi), full=True, tessdata=self._tessdata)
        return str(page.get_text(textpage=tp))


def _read_page(page: pymupdf.Page, ocr: _Ocr, dpi: float = OCR_DPI) -> RawPage:
    """Text layer of `page`, or its OCR text (rendered at `dpi`) when the layer is negligible and the page carries an
    image."""
    text = str(page.get_text("text"))
    if sum(not c.isspace() for c in text) >= MIN_TEXT_CHARS or not page.get_images():
        return RawPage(text, False)
    try:
        ocr_text = ocr.page_text(page, dpi)
    except (subprocess.SubprocessError, OSError):  # too slow (a dense drawing) or failing: keep the text layer
        return RawPage(text, False)
    if ocr_text is None:
        return RawPage(text, False)
    return RawPage(ocr_text, True)


def _address_space_bytes() -> int:
    """Current virtual memory size of this process (0 if unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(memory_mb: int) -> None:
    """Cap the child's address space at its current size plus `memory_mb` (no-op where unsupported)."""
    try:
        import resource
    except ImportError:  # Windows
        return
    limit = _address_space_bytes() + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(path: str, limits: ExtractionLimits, conn: Connection, image: bool = False) -> None:
    """Child entry point: parse and send ("progress", n) messages, then ("ok", RawPdf) or ("error", message).

    Ctrl-C at the terminal reaches every process of its group: the child ignores it (as do the OCR processes it
    starts) and the parent decides whether to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _limit_memory(limits.memory_mb)
        import pymupdf

        pymupdf.TOOLS.mupdf_display_errors(False)  # failures are reported through the pipe, not stderr
        pymupdf.TOOLS.mupdf_display_warnings(False)
        result = extract_pdf_in_process(Path(path), limits, lambda n: conn.send(("progress", n)), image)
        conn.send(("ok", result))
    except ExtractionError as exc:
        conn.send(("error", str(exc)))
    except MemoryError:
        conn.send(("error", _memory_message(limits)))
    except Exception as exc:  # report, never hang the parent
        try:
            _raise_if_out_of_memory(exc)
            conn.send(("error", "damaged PDF: it could not be parsed"))
        except MemoryError:
            conn.send(("error", _memory_message(limits)))
    finally:
        conn.close()


def _memory_message(limits: ExtractionLimits) -> str:
    return f"PDF needs more than {limits.memory_mb} MB to parse"


def _context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    """A forkserver context preloading PyMuPDF (cheap children), or spawn where forkserver does not exist."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # '__main__' stays preloaded (the default) so children do not re-import the main script one by one.
    ctx.set_forkserver_preload(["__main__", "pymupdf", __name__])
    return ctx


def parse_pdf(
    path: Path, limits: ExtractionLimits, on_page: Callable[[int], None] | None = None, image: bool = False
) -> RawPdf:
    """Parse `path` (a PDF, or with `image` a picture) in a sandboxed child process; every failure becomes an
    `ExtractionError`.

    `on_page(n)` is called as the child reports its progress (n pages parsed)."""
    if not image:
        check_pdf_header(path)  # reject the obvious cases without starting a process
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child_main,
        args=(str(path), limits, sender, *((image,) if image else ())),
        daemon=True,
        name="pdf-parser",
    )
    try:
        child.start()
    except OSError as exc:
        receiver.close()
        sender.close()
        raise ParserFailureError(f"PDF parser could not be started ({exc.strerror or exc})") from exc
    sender.close()
    try:
        deadline = time.monotonic() + limits.timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not receiver.poll(remaining):
                raise ParserFailureError(f"PDF parser timed out after {limits.timeout_s:g} s")
            try:
                kind, payload = receiver.recv()
            except (EOFError, OSError):
                child.join(5)
                raise ParserFailureError(_crash_message(child.exitcode)) from None
            if kind == "progress":
                deadline = time.monotonic() + limits.timeout_s
                if on_page is not None:
                    on_page(payload)
            elif kind == "ok" and isinstance(payload, RawPdf):
                return payload
            else:
                raise ExtractionError(str(payload))
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _crash_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"PDF parser crashed (signal {-exitcode})"
    return f"PDF parser crashed (exit code {exitcode})"
