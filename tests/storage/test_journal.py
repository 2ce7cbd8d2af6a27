"""The journal of verified webhooks: on disk before the answer, sealed, and an orphan after kill -9."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

from storage.journal import Journal, orphans, read_records

ROOT = Path(__file__).resolve().parents[2]


def test_records_not_done_are_read_back_in_order_and_sealed(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    first = journal.append({"n": 1, "text": "رقم هويتي 1000000008"})
    second = journal.append({"n": 2})
    third = journal.append({"n": 3})
    journal.done(second)
    assert [r["n"] for _, r in read_records(journal.path)] == [1, 3]
    assert [seq for seq, _ in journal.undone()] == [first, third]
    raw = journal.path.read_bytes()
    assert b"1000000008" not in raw, "personal data is sealed in the journal"
    assert stat.S_IMODE(journal.path.stat().st_mode) & 0o077 == 0, "owner-only"
    assert list(orphans(tmp_path)) == [], "a live process's journal is nobody's orphan"
    with journal.path.open("ab") as handle:
        handle.write(b"R 99 torn-by-a-cra")  # a crash mid-write: no newline
    assert [r["n"] for _, r in read_records(journal.path)] == [1, 3]
    journal.done(first)
    journal.done(third)
    journal.close()
    assert not journal.path.exists(), "nothing undone: the file goes with its process"


def test_a_killed_process_leaves_an_orphan_that_is_replayed_once(tmp_path: Path) -> None:
    script = (
        "import sys, time; from pathlib import Path; from storage.journal import Journal\n"
        "j = Journal(Path(sys.argv[1]))\n"
        "for i in range(5): j.append({'n': i})\n"
        "j.done(3)\n"  # the third record (n=2) was stored
        "print('ready', flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE,
                             env={**os.environ})
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"ready"
    assert list(orphans(tmp_path)) == [], "alive: locked"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    [orphan] = list(orphans(tmp_path))  # the lock died with the process
    seen = []
    for orphan in orphans(tmp_path):
        for seq, record in orphan.records():
            seen.append(record["n"])
            orphan.done(seq)
        orphan.finish()
    assert seen == [0, 1, 3, 4]
    assert list(orphans(tmp_path)) == [] and not list(tmp_path.glob("*.journal"))
