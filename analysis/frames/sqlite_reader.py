"""The SQLite side of columnar reads: ADBC in a child process, never in this one.

The ADBC driver carries its own copy of the SQLite library, and two copies in one process
break each other's file locks (closing one copy's file drops the locks the other holds, see
"How To Corrupt An SQLite Database File", 2.2.1) — the service's writers would then see I/O
errors or worse. The child sends each result back as an Arrow IPC stream over a pipe, which
costs a copy but no conversion. It is kept between `reading()`s (ending its transaction each
time), so it keeps the file open like the service's own pooled connections do: restore a
database through SQLite's backup API (`doorstep db restore`), never by renaming a file over
it.

Since the child runs on another core, this process can work while it reads: queries can be
sent ahead (`SqliteReader.prefetch`) and a large result can come in parts
(`SqliteReader.read_parts`) to be worked on while the next part is read.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import json
import os
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

from bot.storage.db import SQLITE_BUSY_TIMEOUT_MS

# The child: reads SQL (one JSON string a line), answers "K" + 8-byte length + an Arrow IPC
# stream, or "E" + the error's name and a newline; null ends the read transaction (the
# next query starts a new snapshot). A request {"sql", "chunk_rows"} is answered in parts
# as the query runs: "C" + length + stream per part, then "K" + a zero length (or "E" at
# any point). It imports nothing from Doorstep.
WORKER = """
import json, struct, sys
import adbc_driver_sqlite.dbapi as driver
import pyarrow as pa
connection = driver.connect(sys.argv[1])
cursor = connection.cursor()
cursor.execute("PRAGMA busy_timeout=" + sys.argv[2])
cursor.fetchall()
out = sys.stdout.buffer
def send(status, table):
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    data = sink.getvalue()
    out.write(status + struct.pack("<Q", data.size))
    out.write(data)
    out.flush()
for line in sys.stdin.buffer:
    try:
        request = json.loads(line)
        if request is None:
            connection.rollback()
            out.write(b"K" + struct.pack("<Q", 0))
            out.flush()
            continue
        if isinstance(request, str):
            cursor.execute(request)
            send(b"K", cursor.fetch_arrow_table())
            continue
        batch_rows = str(min(request["chunk_rows"], 1024))  # 1024: the driver's default
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": batch_rows})
        cursor.execute(request["sql"])
        batches, rows = [], 0
        for batch in cursor.fetch_record_batch():
            batches.append(batch)
            rows += batch.num_rows
            if rows >= request["chunk_rows"]:
                send(b"C", pa.Table.from_batches(batches))
                batches, rows = [], 0
        if rows:
            send(b"C", pa.Table.from_batches(batches))
        out.write(b"K" + struct.pack("<Q", 0))
    except Exception as problem:
        out.write(b"E" + type(problem).__name__.encode() + b"\\n")
    out.flush()
connection.rollback()
connection.close()
"""


class SqliteReader:
    """ADBC over one SQLite file in a child process: one read transaction per `reading()`,
    the process kept between them (starting one costs a few tenths of a second).

    A thread of this process takes the child's answers off the pipe as they come, so the
    child never waits for this process to be ready for them: queries sent ahead
    (`prefetch`) and the parts of a parted read are read while this process works on the
    ones before.
    """

    def __init__(self, path: str) -> None:
        import adbc_driver_sqlite  # noqa: F401  (fail here, in this process, if missing)

        self.path = path
        self.owner = os.getpid()
        self.broken = False  # the child stopped answering
        self.outstanding = 0  # requests sent whose answer has not been taken
        self.streaming = False
        self.pending: collections.deque[str] = collections.deque()  # sent ahead, unread
        self.answers: queue.SimpleQueue[tuple[bytes, bytes]] = queue.SimpleQueue()
        self.file = _identity(path)  # a file replaced since (a restore) needs a new reader
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
            [sys.executable, "-c", WORKER, path, str(SQLITE_BUSY_TIMEOUT_MS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        threading.Thread(target=self._take_answers, daemon=True).start()

    @property
    def healthy(self) -> bool:
        return not self.broken and self.process.poll() is None

    def prefetch(self, sql: str) -> None:
        """Start the query now; `read` of the same SQL later takes its answer."""
        self._send(sql)
        self.pending.append(sql)

    def read(self, sql: str) -> Any:
        while self.pending:  # answers sent ahead: ours, or ones nobody asked for after all
            ahead = self.pending.popleft()
            if ahead == sql:
                return read_table(self._answer(b"K") or b"")
            self._skip_one()
        self._send(sql)
        return read_table(self._answer(b"K") or b"")

    def read_parts(self, sql: str, rows: int) -> Iterator[Any]:
        """The query's result in parts of about `rows` rows, each sent as soon as the child
        has read it: the caller works on one part while the child reads the next. A caller
        that stops early leaves the rest to be dropped before the next request."""
        self._settle()
        self._send({"sql": sql, "chunk_rows": rows})
        self.streaming = True
        try:
            while (data := self._answer(b"C", b"K")) is not None:
                yield read_table(data)
        finally:
            self.streaming = False

    def end_transaction(self) -> None:
        self._settle()
        self._send(None)
        self._answer(b"K")

    def _send(self, request: object) -> None:
        assert self.process.stdin is not None
        if self.streaming:  # its answer would be read as a part of the one being read
            raise RuntimeError("the columnar reader is busy with a read in parts")
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        self.outstanding += 1

    def _take_answers(self) -> None:
        """The thread: each message off the pipe, whole, onto the queue; b"" when it ends."""
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                status = stdout.read(1)
                if status in (b"K", b"C"):
                    (size,) = struct.unpack("<Q", stdout.read(8))
                    data = stdout.read(size)
                    if len(data) != size:
                        break
                    self.answers.put((status, data))
                elif status == b"E":
                    self.answers.put((status, stdout.readline()))
                else:
                    break
        except (OSError, ValueError, struct.error):
            pass  # the pipe closed under us: the reader is being closed
        self.answers.put((b"", b""))

    def _next(self) -> tuple[bytes, bytes]:
        """The next message off the queue, counted: "K" and "E" end an answer; the end of
        the pipe (b"") marks the reader broken and stays for whoever asks next."""
        status, data = self.answers.get()
        if status == b"":
            self.broken = True
            self.answers.put((status, data))
        elif status != b"C":
            self.outstanding -= 1
        return status, data

    def _answer(self, *expected: bytes) -> bytes | None:
        """The next message's data; None for the "K" closing a parted answer."""
        status, data = self._next()
        if status not in expected:
            detail = data.decode(errors="replace").strip() if status == b"E" else ""
            raise RuntimeError(f"the columnar reader failed: {detail or 'it stopped'}")
        if status == b"K" and len(expected) > 1:  # the end of a parted answer
            return None
        return data

    def _skip_one(self) -> None:
        """Take and drop one whole answer (an error in it concerns nobody now)."""
        while (status := self._next()[0]) == b"C":
            pass
        if status == b"":
            raise RuntimeError("the columnar reader failed: it stopped")

    def _settle(self) -> None:
        """Drop every answer still due: sent ahead and never read, or left by a caller
        that stopped part way."""
        self.pending.clear()
        while self.outstanding > 0:
            self._skip_one()

    def close(self) -> None:
        if self.process.stdin is not None:
            # A child that died leaves a request unsent in the buffer.
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def read_table(data: bytes) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


# One idle reader per database file, per process, for the next `reading()`; a few at most
# (a test run opens hundreds of database files).
MAX_IDLE = 2
_IDLE: dict[str, SqliteReader] = {}
_IDLE_LOCK = threading.Lock()


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def idle_reader(path: str) -> SqliteReader | None:
    with _IDLE_LOCK:
        reader = _IDLE.pop(path, None)
    if reader is None:
        return None
    same_file = reader.file == _identity(path)
    if reader.owner == os.getpid() and reader.process.poll() is None and same_file:
        return reader
    if reader.owner == os.getpid():
        reader.close()
    return None  # a forked copy's pipes belong to the parent: leave them alone


def release_reader(reader: SqliteReader) -> None:
    """End the reader's transaction and keep it for the next read (or close it)."""
    try:
        if reader.healthy:
            reader.end_transaction()
    except (OSError, RuntimeError):
        reader.broken = True
    keep = reader.healthy
    evicted: list[SqliteReader] = []
    with _IDLE_LOCK:
        if keep and reader.path not in _IDLE:
            _IDLE[reader.path] = reader
            while len(_IDLE) > MAX_IDLE:
                evicted.append(_IDLE.pop(next(iter(_IDLE))))
        else:
            evicted.append(reader)
    for old in evicted:
        if old.owner == os.getpid():
            old.close()


@atexit.register
def _close_idle() -> None:
    with _IDLE_LOCK:
        readers = list(_IDLE.values())
        _IDLE.clear()
    for reader in readers:
        if reader.owner == os.getpid():
            reader.close()
