"""An append-only, fsync'd journal of accepted webhooks: what a provider got a 2xx for is never lost.

Each `serve` process writes its own file in the journal folder (`$TAWASUL_DATA_DIR/journal`), held with an
exclusive `flock` while the process lives. A record is one line, sealed like every personal datum at rest
(storage/sealed.py), and on disk (fdatasync) before the webhook answers:

    R <seq> <sealed JSON>       a verified webhook (channel, path, query, headers, body)
    D <seq>                     stored in the database (or refused as bad input): never replayed

A `D` line is not synced: lost in a crash, its record is replayed and dropped as a duplicate by its provider
id. After a kill -9 the file is no longer locked; any process of the same folder replays its undone records
in order (`orphans`) and then deletes it. A torn last line (the crash mid-write) is ignored: its webhook was
not answered, so the provider retries it.

    >>> j = Journal(Path(tmp))                                            # doctest: +SKIP
    >>> seq = j.append({"channel": "telegram", "body": "..."}); j.done(seq)   # doctest: +SKIP
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.sealed import seal, unseal

log = logging.getLogger("tawasul.journal")
SUFFIX = ".journal"


class Journal:
    """This process's journal file: `append` (durable), `done`, and the records not yet done, in order."""

    def __init__(self, folder: Path, *, rotate_bytes: int = 64 * 1024 * 1024) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder = folder
        # The name sorts by start time, so orphans are replayed oldest process first.
        self.path = folder / f"{time.time_ns():020d}-{os.getpid()}{SUFFIX}"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # "alive": no other process replays this file
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)  # the new file's name survives a power cut too, not only a kill
        finally:
            os.close(folder_fd)
        self._lock = threading.Lock()
        self._seq = 0
        self._undone: dict[int, dict[str, Any]] = {}  # insertion order is the order of arrival
        self._rotate_bytes = rotate_bytes
        self._size = 0

    def append(self, record: dict[str, Any]) -> int:
        """Write the record and wait until it is on disk; its sequence number."""
        seq = self.write(record)
        self.sync()
        return seq

    def write(self, record: dict[str, Any]) -> int:
        """Write the record (not yet synced: call `sync` before promising anything); its sequence number."""
        sealed = seal(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        with self._lock:
            self._seq += 1
            seq = self._seq
            line = f"R {seq} {sealed}\n".encode()
            os.write(self._fd, line)
            self._size += len(line)
            self._undone[seq] = record
        return seq

    def sync(self) -> None:
        """Everything written so far on disk. Outside the lock: concurrent webhooks share one flush."""
        os.fdatasync(self._fd)

    def done(self, seq: int) -> None:
        with self._lock:
            if self._undone.pop(seq, None) is None:
                return
            line = f"D {seq}\n".encode()
            os.write(self._fd, line)
            self._size += len(line)
            if not self._undone and self._size > self._rotate_bytes:
                os.ftruncate(self._fd, 0)  # everything in it is done: start the file afresh
                self._size = 0

    def undone(self) -> list[tuple[int, dict[str, Any]]]:
        """This process's records not yet done, oldest first."""
        with self._lock:
            return list(self._undone.items())

    def close(self) -> None:
        """Release the file; with nothing undone it is removed (an orphan otherwise, replayed by the next)."""
        with self._lock:
            if self._fd < 0:
                return
            if not self._undone:
                self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = -1


def read_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The undone records of a journal file, in order (a torn or unreadable line is skipped)."""
    records: dict[int, dict[str, Any]] = {}
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # torn by a crash mid-write: never answered, so never promised
            kind, _, rest = raw.decode(errors="replace").rstrip("\n").partition(" ")
            seq_text, _, payload = rest.partition(" ")
            if not seq_text.isdigit():
                continue
            if kind == "R":
                try:
                    records[int(seq_text)] = json.loads(unseal(payload))
                except ValueError:
                    log.warning("journal %s: record %s unreadable, skipped", path.name, seq_text)
            elif kind == "D":
                records.pop(int(seq_text), None)
    return list(records.items())


class Orphan:
    """A journal file whose process is gone, held (flock) while it is replayed."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self._fd = path, fd

    def records(self) -> list[tuple[int, dict[str, Any]]]:
        return read_records(self.path)

    def done(self, seq: int) -> None:
        os.write(self._fd, f"D {seq}\n".encode())

    def finish(self) -> None:
        """Every record replayed: the file goes."""
        self.path.unlink(missing_ok=True)

    def release(self) -> None:
        os.close(self._fd)


def orphans(folder: Path, own: Path | None = None) -> Iterator[Orphan]:
    """The journal files of processes that are gone (their lock is free), oldest first, each locked in turn."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        if path == own:
            continue
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            continue  # replayed and removed by another process meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # its process is alive
        if not path.exists():
            os.close(fd)
            continue
        orphan = Orphan(path, fd)
        try:
            yield orphan
        finally:
            orphan.release()
