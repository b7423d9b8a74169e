"""Peak memory of `archive ingest` on one very long file: a text and a PDF of many pages, each in a fresh process.

    python -m benchmarks.ingest --memory [--text-mb 200] [--ingested-text-mb 10] [--pdf-pages 1000] [--real-embedder]

Each file goes through the real command line (`archive ingest FILE` into a fresh data folder) and the process's peak
resident memory (its `VmHWM`, children excluded: a PDF is read in a sandboxed child process, measured apart by
its own limit) is read while it runs. The `--text-mb` text is larger than the default `ARCHIVE_MAX_FILE_MB` and is
refused by it; the `--ingested-text-mb` one is read, chunked, tagged, embedded and committed. By default the embedder
is the tests' deterministic fake (the model's own memory does not grow with the file: it embeds 64 texts a call);
`--real-embedder` uses the bundled model (about 3,000 passages per million characters, at the embedder's speed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPH = (
    "The court in Almaty heard witness {n} about the detention of activist {n} and adjourned the hearing until the "
    "prosecutor could present the documents the defence had asked for. "
) * 3
POLL_S = 0.02  # how often the peak is read: the high-water mark only grows, so a read after the peak keeps it
PDF_PAGE_PARAGRAPHS = 4  # ~2,000 characters a page, as a dense report's page


def write_text(path: Path, megabytes: float) -> Path:
    """A text file of ordinary paragraphs, each different, of about `megabytes` MB."""
    with path.open("w", encoding="utf-8") as text:
        text.write("A long report\n\n")
        n = 0
        while text.tell() < megabytes * 1_000_000:
            text.write("\n\n".join(PARAGRAPH.format(n=n + i) for i in range(100)) + "\n\n")
            n += 100
    return path


def write_pdf(path: Path, pages: int) -> Path:
    """A text PDF of `pages` pages of paragraphs, each page different."""
    document = pymupdf.open()
    for page_number in range(pages):
        body = "\n\n".join(PARAGRAPH.format(n=page_number * 10 + i) for i in range(PDF_PAGE_PARAGRAPHS))
        document.new_page().insert_textbox(pymupdf.Rect(50, 50, 560, 800), body, fontsize=7)
    document.set_metadata({"title": "A long report"})
    document.save(path, garbage=3, deflate=True)
    document.close()
    return path


def _high_water_kb(pid: int) -> int:
    """A running process's peak resident memory since it started its program (`VmHWM`; 0 once it has exited).

    Read from /proc rather than from `wait4`'s rusage: that one also counts the moment between fork and exec, when
    the child still maps all of its parent (a test process holding the model would be measured instead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return int(line.split()[1]) if line else 0


def run_ingest(file: Path, data: Path, real_embedder: bool) -> dict:
    """`archive ingest FILE` in a fresh process: its outcome line, seconds and peak RSS (MB)."""
    if real_embedder:
        command = [sys.executable, "-m", "api"]
    else:
        from tests.fakes import slow_cli

        command = slow_cli(0)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        process = subprocess.Popen(
            [*command, "--data-dir", str(data), "ingest", str(file)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        peak_kb = 0
        while process.poll() is None:
            peak_kb = max(peak_kb, _high_water_kb(process.pid))
            time.sleep(POLL_S)
        out.seek(0)
        output = out.read()
    summary = [line.strip() for line in output.splitlines() if line.strip()][-3:]
    return {
        "file": file.name,
        "megabytes": round(file.stat().st_size / 1_000_000, 1),
        "exit_code": process.returncode,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(peak_kb / 1024),
        "summary": " / ".join(summary),
    }


def benchmark(
    text_mb: float, ingested_text_mb: float, pdf_pages: int, real_embedder: bool, say: Callable[..., None]
) -> dict:
    """Peak memory of each of the three ingests."""
    work = Path(tempfile.mkdtemp(prefix="archive-memory-bench-"))
    try:
        runs = []
        files = [
            write_text(work / "refused.txt", text_mb),
            write_text(work / "long.txt", ingested_text_mb),
            write_pdf(work / "long.pdf", pdf_pages),
        ]
        for n, file in enumerate(files):
            run = run_ingest(file, work / f"data-{n}", real_embedder)
            say(
                f"{run['file']} ({run['megabytes']} MB): exit {run['exit_code']}, {run['seconds']}s, "
                f"peak RSS {run['peak_rss_mb']} MB — {run['summary']}"
            )
            runs.append(run)
        return {"embedder": "bundled model" if real_embedder else "fake (tests.fakes)", "runs": runs}
    finally:
        shutil.rmtree(work, ignore_errors=True)
