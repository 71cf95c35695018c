"""The journal: ``session.sqlite``, the source of truth of a session.

One writer thread drains a queue into SQLite in batches (WAL mode while measuring, a commit at
least every ``flush_s``), so a ``kill -9`` loses at most the last batch. When the run ends the
journal is checkpointed, switched to ``journal_mode=DELETE`` and closed; from then on its bytes do
not change and readers open it read-only. The event log is hash-chained: each row's ``hash`` is
the SHA-256 of the previous hash and the row's own canonical content. Every text that goes in
passes :func:`_scrub`, so no URL in it keeps a password or a key-named query value.
"""
from __future__ import annotations

import hashlib
import json
import queue
import sqlite3
import threading
import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Iterable, TypeVar

from drivers.redact import redact_text

from .records import RECORDS, ClientHealthRecord, InstrumentRecord, PointRecord, ReadingRow, RequestRecord

SCHEMA = "\n".join([
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    *(record.create_sql() + ";" for record in RECORDS),
    "CREATE TABLE IF NOT EXISTS chunks (request INTEGER NOT NULL, t_ns INTEGER NOT NULL, "
    "chars INTEGER);",
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, t_ns INTEGER NOT NULL, kind TEXT "
    "NOT NULL, message TEXT, data TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);",
    "CREATE INDEX IF NOT EXISTS readings_t ON readings (t_ns);",
    "CREATE INDEX IF NOT EXISTS chunks_request ON chunks (request);",
    "CREATE INDEX IF NOT EXISTS requests_point ON requests (point);",
])
"""The journal's tables: the records' own (:mod:`.records`), the key-value ``meta``, each text
chunk's arrival, and the hash-chained event log."""

GENESIS = "0" * 64


class JournalError(Exception):
    """The journal cannot take what is measured: its writer failed (a full or failing disk) or
    fell too far behind. The message is one plain sentence; what was committed is kept."""


def _scrub(text: str) -> str:
    """``text`` as the journal stores it: every URL's credentials masked."""
    return redact_text(text) if isinstance(text, str) else text


R = TypeVar("R", InstrumentRecord, PointRecord, ClientHealthRecord)


def _scrub_record(row: R) -> R:
    """``row`` with every text field scrubbed."""
    texts: dict[str, Any] = {f.name: _scrub(getattr(row, f.name)) for f in fields(row)
                             if isinstance(getattr(row, f.name), str)}
    return replace(row, **texts)


def event_hash(prev: str, t_ns: int, kind: str, message: str, data: str) -> str:
    """The chain hash of one event row."""
    body = json.dumps([prev, t_ns, kind, message, data], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class Journal:
    """Writes a session's journal. Thread-safe: any thread may call the ``put_*`` methods; one
    writer thread owns the connection."""

    def __init__(self, path: Path, flush_s: float = 0.2):
        self.path = Path(path)
        self.flush_s = flush_s
        self._q: queue.Queue[tuple[str, Any] | None] = queue.Queue()
        self._ids = threading.Lock()
        self._next_request = 1
        self._error: BaseException | None = None
        self._closing = False
        conn = sqlite3.connect(self.path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        conn.commit()
        row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM requests").fetchone()
        self._next_request = int(row[0]) + 1
        last = conn.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        self._last_hash = last[0] if last else GENESIS
        conn.close()
        self._thread = threading.Thread(target=self._writer, name="journal-writer", daemon=True)
        self._thread.start()

    # --- producers -------------------------------------------------------------------------

    def put_meta(self, items: dict[str, Any]) -> None:
        self._q.put(("meta", [(k, _scrub(v if isinstance(v, str) else
                                         json.dumps(v, sort_keys=True)))
                              for k, v in items.items()]))

    def put_instrument(self, row: InstrumentRecord) -> None:
        self._q.put(("row", _scrub_record(row)))

    def put_point(self, row: PointRecord) -> None:
        """Insert or replace a point row (called at start and again when it finishes)."""
        self._q.put(("row", _scrub_record(row)))

    def set_aside_point(self, point: int, attempt_id: int) -> None:
        """Move point ``point``'s row and requests (their chunks follow them) to
        ``attempt_id``: an attempt that is measured again keeps what it measured under an id
        of its own, and the point's id is free for the attempt that counts."""
        self._q.put(("set_aside", (point, attempt_id)))

    def put_request(self, row: RequestRecord, chunks: Iterable[tuple[int, int]]) -> int:
        """Queue a finished request and its chunk arrivals (time, characters); returns the
        request's id."""
        with self._ids:
            rid = self._next_request
            self._next_request += 1
        row = replace(row, id=rid, error=_scrub(row.error) if row.error else row.error)
        self._q.put(("request", (row, list(chunks))))
        return rid

    def put_client_health(self, row: ClientHealthRecord) -> None:
        """One load process's health over a point's measured load."""
        self._q.put(("row", _scrub_record(row)))

    def put_readings(self, rows: list[ReadingRow]) -> None:
        """The rows of one meter update."""
        if rows:
            self._q.put(("readings", rows))

    def put_event(self, t_ns: int, kind: str, message: str = "", data: Any = None) -> None:
        self._q.put(("event", (t_ns, kind, _scrub(message), _scrub(
            json.dumps(data, sort_keys=True, ensure_ascii=False) if data is not None else ""))))

    # --- writer ----------------------------------------------------------------------------

    def _apply(self, conn: sqlite3.Connection, kind: str, item: Any) -> None:
        if kind == "meta":
            conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", item)
        elif kind == "row":
            conn.execute(item.insert_sql("INSERT OR REPLACE"), item.values())
        elif kind == "request":
            row, chunks = item
            conn.execute(row.insert_sql(), row.values())
            conn.executemany("INSERT INTO chunks (request, t_ns, chars) VALUES (?, ?, ?)",
                             [(row.id, t, c) for t, c in chunks])
        elif kind == "set_aside":
            point, attempt_id = item
            conn.execute("UPDATE points SET id = ? WHERE id = ?", (attempt_id, point))
            conn.execute("UPDATE requests SET point = ? WHERE point = ?", (attempt_id, point))
            conn.execute("UPDATE client_health SET point = ? WHERE point = ?",
                         (attempt_id, point))
        elif kind == "readings":
            conn.executemany(ReadingRow.insert_sql(), [r.values() for r in item])
        elif kind == "event":
            t_ns, k, message, data = item
            h = event_hash(self._last_hash, t_ns, k, message, data)
            conn.execute("INSERT INTO events (t_ns, kind, message, data, prev_hash, hash) "
                         "VALUES (?,?,?,?,?,?)", (t_ns, k, message, data, self._last_hash, h))
            self._last_hash = h

    def _writer(self) -> None:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        conn.execute("PRAGMA synchronous=NORMAL")
        stop = False
        try:
            while not stop:
                batch: list[tuple[str, Any]] = []
                try:
                    first = self._q.get(timeout=self.flush_s)
                except queue.Empty:
                    continue
                if first is None:
                    stop = True
                else:
                    batch.append(first)
                while True:
                    try:
                        nxt = self._q.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        stop = True
                        break
                    batch.append(nxt)
                barriers = [item for kind, item in batch if kind == "barrier"]
                if batch:
                    with conn:
                        for kind, item in batch:
                            if kind != "barrier":
                                self._apply(conn, kind, item)
                for b in barriers:
                    b.set()
        except BaseException as exc:  # noqa: BLE001 - reported by close()
            self._error = exc
        finally:
            conn.close()

    @property
    def failure(self) -> str:
        """Why the writer stopped (``""`` while it works)."""
        if self._error is not None:
            return f"the journal could not be written ({self._error})"
        if not self._closing and not self._thread.is_alive():
            return "the journal's writer has stopped"
        return ""

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is committed. False if it took longer than
        ``timeout`` seconds, or at once when the writer has failed (:attr:`failure` says why):
        what was queued is then not in the file, and a caller that reads it back must not go
        on as if it were."""
        done = threading.Event()
        self._q.put(("barrier", done))
        deadline = time.monotonic() + timeout
        while not done.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
            if self.failure or time.monotonic() >= deadline:
                return done.is_set()
        return True

    def close(self) -> None:
        """Stop the writer after draining the queue, then finalise the file (also after the
        writer failed: what was committed stays readable). :class:`JournalError` when the
        writer failed."""
        self._closing = True
        self._q.put(None)
        self._thread.join(timeout=60)
        failure = self.failure
        finalise(self.path)
        if failure:
            raise JournalError(failure) from self._error


def finalise(path: Path, busy_timeout_s: float = 5.0) -> None:
    """Checkpoint the WAL into the file, switch to DELETE mode and close, so the bytes stop
    changing. While another connection (a run still measuring) has the journal open this raises
    ``sqlite3.OperationalError`` (see :func:`in_use`); ``busy_timeout_s`` is how long to wait."""
    conn = sqlite3.connect(path, timeout=busy_timeout_s)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.commit()
    finally:
        conn.close()


def in_use(exc: BaseException) -> bool:
    """Whether a SQLite error means another connection holds the journal (a run writing it)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open a finished journal without changing a byte of it."""
    uri = f"file:{Path(path).resolve().as_posix()}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def is_finalised(path: Path) -> bool:
    """True when the journal is in DELETE mode with no WAL beside it."""
    wal = Path(str(path) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False
    with open(path, "rb") as f:
        header = f.read(20)
    # bytes 18 and 19: file format write/read version, 2 = WAL, 1 = legacy (rollback journal)
    return len(header) >= 20 and header[18] == 1 and header[19] == 1


def check_chain(conn: sqlite3.Connection) -> list[str]:
    """Problems in the event log's hash chain (empty when intact)."""
    prev = GENESIS
    out = []
    for eid, t_ns, kind, message, data, prev_hash, h in conn.execute(
            "SELECT id, t_ns, kind, message, data, prev_hash, hash FROM events ORDER BY id"):
        if prev_hash != prev:
            out.append(f"event {eid}: chain broken (previous hash does not match)")
        if event_hash(prev_hash, t_ns, kind, message or "", data or "") != h:
            out.append(f"event {eid}: content changed after it was written")
        prev = h
    return out


def append_event(path: Path, kind: str, message: str, data: Any = None, at_ns: int | None = None) -> None:
    """Add one event to a journal outside a run (keeping the hash chain), e.g. a re-export."""
    conn = sqlite3.connect(path)
    try:
        last = conn.execute("SELECT t_ns, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        prev = last[1] if last else GENESIS
        t_ns = at_ns if at_ns is not None else (last[0] if last else 0)
        body = _scrub(json.dumps(data, sort_keys=True, ensure_ascii=False)
                      if data is not None else "")
        message = _scrub(message)
        h = event_hash(prev, t_ns, kind, message, body)
        with conn:
            conn.execute("INSERT INTO events (t_ns, kind, message, data, prev_hash, hash) "
                         "VALUES (?,?,?,?,?,?)", (t_ns, kind, message, body, prev, h))
    finally:
        conn.close()
