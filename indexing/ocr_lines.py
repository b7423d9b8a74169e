"""OCR with the Tesseract command, keeping only lines it is confident about.

Cover images and photos OCR'd as text give lines like "ie2 Dole ем= Se"; Tesseract's own word confidences (its
TSV output) tell them apart from real text, so a line whose mean confidence is under the threshold is dropped.
Standard library only: this runs inside the PDF parser's child process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

MIN_LINE_CONFIDENCE = 60.0  # mean word confidence (0-100) a recognised line needs to be kept
OCR_TIMEOUT_S = 120.0  # one Tesseract run on one page image, unless the caller gives its own budget


def tesseract_command() -> str | None:
    """The `tesseract` executable, or None when it is not installed."""
    return shutil.which("tesseract")


def ocr_png(
    png: bytes,
    languages: Sequence[str],
    tessdata: str | None,
    command: str = "tesseract",
    timeout_s: float = OCR_TIMEOUT_S,
) -> str:
    """The confident text of one page image: lines in reading order, a blank line between paragraphs.

    Raises `subprocess.SubprocessError` when Tesseract fails or takes longer than `timeout_s`."""
    args = [command, "stdin", "stdout", "-l", "+".join(languages)]
    if tessdata:
        args += ["--tessdata-dir", tessdata]
    env = {"OMP_THREAD_LIMIT": "1", **os.environ}  # Tesseract's OpenMP threads spin on a busy machine: 4x slower
    result = subprocess.run(args + ["tsv"], input=png, capture_output=True, timeout=timeout_s, check=True, env=env)
    return text_from_tsv(result.stdout.decode("utf-8", errors="replace"))


def text_from_tsv(tsv: str, min_confidence: float = MIN_LINE_CONFIDENCE) -> str:
    """Rebuild text from Tesseract's TSV, leaving out lines whose mean word confidence is under `min_confidence`."""
    lines: dict[tuple[int, int, int], list[tuple[str, float]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        block, paragraph, line = int(cells[2]), int(cells[3]), int(cells[4])
        lines.setdefault((block, paragraph, line), []).append((cells[11], float(cells[10])))
    out: list[str] = []
    previous: tuple[int, int] | None = None
    for (block, paragraph, _), words in lines.items():
        if sum(conf for _, conf in words) / len(words) < min_confidence:
            continue
        if previous is not None and previous != (block, paragraph):
            out.append("")
        out.append(" ".join(word for word, _ in words))
        previous = (block, paragraph)
    return "\n".join(out)
