"""The batch ETA: characters still to embed at the measured rate."""

import pytest

from indexing import jobs
from indexing.jobs import BatchProgress


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(jobs.time, "monotonic", lambda: now[0])
    return now


def test_the_eta_counts_characters_left_at_the_measured_rate(clock):
    progress = BatchProgress()
    progress.reset({1: 2_000, 2: 4_000})  # bytes
    assert progress.snapshot()["eta_s"] is None  # nothing measured yet
    clock[0] += 10
    progress.embedding(1, "a.txt", 500, 1_000, 2)  # the first file holds 1,000 characters: 0.5 per byte
    snapshot = progress.snapshot()
    assert snapshot["characters_per_s"] == 50.0
    assert snapshot["characters_left"] == 500 + 2_000  # the second file estimated at 0.5 characters per byte
    assert snapshot["eta_s"] == pytest.approx(2_500 / 50)
    clock[0] += 10
    progress.finished(1, 3)
    progress.embedding(2, "b.txt", 0, 3_000, 0)  # read: its real length replaces the estimate
    snapshot = progress.snapshot()
    assert (snapshot["done"], snapshot["passages"], snapshot["characters_left"]) == (1, 3, 3_000)
    assert snapshot["eta_s"] == pytest.approx(3_000 / (1_000 / 20))
    assert "b.txt: 0/3,000 characters" in snapshot["current"] and snapshot["current_job"] == 2


def test_a_duplicate_embeds_nothing_and_does_not_skew_the_estimate(clock):
    progress = BatchProgress()
    progress.reset({1: 1_000, 2: 1_000, 3: 1_000})
    progress.finished(1, 0)  # a duplicate: never read
    clock[0] += 5
    progress.embedding(2, "b.txt", 1_000, 2_000, 1)
    snapshot = progress.snapshot()
    assert snapshot["characters_left"] == 1_000 + 2_000  # job 3 at job 2's 2 characters per byte


def test_each_unfinished_job_has_its_pages_passages_share_and_eta_in_the_order_of_processing(clock):
    progress = BatchProgress()
    progress.reset({1: 2_000, 2: 4_000, 3: 1_000})
    progress.finished(1, 0)  # a duplicate: never read
    progress.parsing(2, "report.pdf", 7)
    clock[0] += 10
    progress.embedding(2, "report.pdf", 1_000, 4_000, 5)  # 1 character per byte
    jobs = progress.snapshot()["jobs"]
    assert [job["job_id"] for job in jobs] == [2, 3]
    assert (jobs[0]["pages"], jobs[0]["passages"], jobs[0]["percent"]) == (7, 5, 25.0)
    assert jobs[0]["eta_s"] == pytest.approx(3_000 / 100)  # its 3,000 characters left at 100 per second
    assert (jobs[1]["pages"], jobs[1]["passages"], jobs[1]["percent"]) == (0, 0, 0.0)
    assert jobs[1]["eta_s"] == pytest.approx((3_000 + 1_000) / 100)  # after job 2, its own 1,000 (estimated)
    assert progress.snapshot()["percent"] == pytest.approx(100 * 1_000 / 5_000)
