"""Memory stays bounded however long the text: a long file costs little more than a short one."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

_MEASURE = """
import resource, sys
from pathlib import Path
from api.services import Services
from archive.settings import Settings
from indexing.persons.tagging import find_person_mentions
from tests.fakes import FakeEmbedder

folder = Path(sys.argv[1])
services = Services.open(Settings(data_dir=folder / "archive"), embedder=FakeEmbedder())
find_person_mentions("Warm-up: the NER model is loaded, as Judge Zhanas Quanyshev said.")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
[outcome] = services.ingestor.ingest([folder / "long.txt"])
assert outcome.state.value == "indexed", outcome
print(outcome.passages, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def _growth_mb(folder, megabytes: float) -> tuple[int, int]:
    """(passages, peak RSS growth in MB) of ingesting a text of `megabytes` in a fresh process."""
    folder.mkdir()
    paragraph = "The court in Almaty heard witness {n} about the detention of activist {n}, and adjourned. " * 5
    with (folder / "long.txt").open("w", encoding="utf-8") as text:
        text.write("A long report\n\n")
        n = 0
        while text.tell() < megabytes * 1_000_000:
            text.write(paragraph.format(n=n) + "\n\n")
            n += 1
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(folder)], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stderr
    passages, growth = map(int, done.stdout.split()[-2:])
    return passages, growth


@pytest.mark.slow
def test_a_text_four_times_longer_costs_little_more_memory(tmp_path):
    short_passages, short_growth = _growth_mb(tmp_path / "short", 0.5)
    long_passages, long_growth = _growth_mb(tmp_path / "long", 2.0)
    assert long_passages > 3 * short_passages
    # the text itself (2 MB) and its passages' rows in SQLite's cache may grow; nothing proportional to the
    # vectors, the shingles or the NER model's input (which took gigabytes for a few megabytes of text)
    assert long_growth < short_growth + 120, (short_growth, long_growth)
