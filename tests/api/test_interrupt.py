"""`archive ingest` shows progress by files, pages and passages; Ctrl-C stops after the current file with a summary,
leaves no job running and the archive consistent, and the same command resumes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from sqlmodel import Session, func, select

from archive.db import make_engine
from archive.models import Document, IngestJob, JobState, Passage
from archive.settings import Settings
from tests.conftest import ROOT
from tests.fakes import slow_cli

FILES = 6


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for n in range(FILES):
        sentences = [
            f"Report {n} paragraph {p}: the court in city {n} heard witness {p} about detention number "
            f"{n * 100 + p} and adjourned the hearing until a later date."
            for p in range(24)
        ]
        (folder / f"report_{n}.txt").write_text(f"Report {n}\n\n" + "\n\n".join(sentences) + "\n", encoding="utf-8")
    return folder


def _run(data: Path, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [*slow_cli(0.04), "--data-dir", str(data), "ingest", str(folder)],  # plumbing only: nothing here ranks
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )  # its own process group, as a terminal's foreground job


def _counts(summary: str) -> dict[str, int]:
    return {state: int(n) for n, state in re.findall(r"(\d+) (indexed|duplicate|failed|not started)", summary)}


def test_ctrl_c_stops_after_the_current_file_and_the_same_command_resumes(tmp_path):
    folder, data = _folder(tmp_path), tmp_path / "data"
    process = _run(data, folder)
    progress = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        progress.append(line)
        if line.startswith("[") and "indexed: " in line:  # the first file is done
            break
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground process group
    stdout, stderr = process.communicate(timeout=120)
    progress.append(stderr)
    shown = "".join(progress)
    assert process.returncode == 130, shown + stdout
    assert re.search(rf"\d+/{FILES} files  \d+ pages  \d+ passages", shown)
    assert "stopping after the current file" in shown and "Traceback" not in shown
    counts = _counts(stdout)
    assert counts["indexed"] >= 1 and counts["not started"] >= 1, stdout
    assert counts["indexed"] + counts["not started"] == FILES and counts["failed"] == 0
    assert "run the same command again to resume" in stdout

    engine = make_engine(Settings(data_dir=data))
    with Session(engine) as session:
        states = [job.state for job in session.exec(select(IngestJob)).all()]
        assert JobState.running not in states
        assert states.count(JobState.queued) == counts["not started"]
        assert session.exec(select(func.count()).select_from(Document)).one() == counts["indexed"]
        passages = session.exec(select(func.count()).select_from(Passage)).one()
        assert passages > 0
    engine.dispose()

    again = _run(data, folder)
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stdout + stderr
    resumed = _counts(stdout)
    assert (resumed["indexed"], resumed["duplicate"]) == (counts["not started"], counts["indexed"]), stdout
    assert "not started" not in stdout


def test_two_ctrl_c_stop_at_once_even_while_a_huge_text_is_read_and_leave_no_job_running(tmp_path):
    folder, data = tmp_path / "inbox", tmp_path / "data"
    folder.mkdir()
    paragraph = "The court in Almaty heard the witness about the detention and adjourned the hearing. " * 6
    with (folder / "huge.txt").open("w", encoding="utf-8") as huge:  # minutes of splitting and tagging
        huge.write("A huge report\n\n")
        for n in range(6000):
            huge.write(f"Paragraph {n}. {paragraph}\n\n")
    process = _run(data, folder)
    engine = make_engine(Settings(data_dir=data))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _running(engine):
        time.sleep(0.5)
    time.sleep(3)  # the file is being read, split and tagged
    os.killpg(process.pid, signal.SIGINT)
    time.sleep(1)
    os.killpg(process.pid, signal.SIGINT)
    stopped = time.monotonic()
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # never left running, whatever the outcome
            os.killpg(process.pid, signal.SIGKILL)
    assert time.monotonic() - stopped < 15, stderr
    assert process.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and "not started" in stdout
    with Session(engine) as session:
        assert [job.state for job in session.exec(select(IngestJob)).all()] == [JobState.queued]
        assert session.exec(select(func.count()).select_from(Document)).one() == 0
    engine.dispose()


def _running(engine) -> bool:
    try:
        with Session(engine) as session:
            return session.exec(select(IngestJob).where(IngestJob.state == JobState.running)).first() is not None
    except Exception:  # noqa: BLE001 - the archive is still being created
        return False
