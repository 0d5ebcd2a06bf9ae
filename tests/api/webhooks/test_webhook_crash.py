"""Crash test: the webhook server killed with SIGKILL while webhooks pour in.

Twilio is told 200 only after the message's batch committed, so every message that got a
200 must be in the database afterwards, with its reply queued: a batch is all or nothing.
Eight tenants at a time keep the group commit batching when the kill comes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from bot.storage.db import Database
from bot.storage.tables import INBOUND, OUTBOUND
from tests.support.fakes.twilio_api import ACCOUNT_SID, signature
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[3]
REPLIES = ["REPAIR", "yes", "2", "no", "yes", "1", "Quick and tidy."]
TENANTS_AT_ONCE = 8
KILL_AFTER = 120  # acknowledged webhooks before the kill
WAIT = 120.0  # generous: a loaded machine is slow, and this is not a timing test


def post(port: int, sid: str, sender: str, body: str) -> int:
    url = f"http://127.0.0.1:{port}/webhooks/twilio/sms"
    form = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": "+447700900000"}
    form["Body"] = body
    request = urllib.request.Request(
        url, data=urlencode(form).encode(), headers={"X-Twilio-Signature": signature(url, form)}
    )
    with urllib.request.urlopen(request, timeout=WAIT) as answer:
        return int(answer.status)


def started(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert process.poll() is None, "the webhook server stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the webhook server did not start")


def test_every_acknowledged_webhook_survives_a_kill(database_url: str) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.webhook_server", str(port), database_url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    acknowledged: list[str] = []
    lock = threading.Lock()

    def tenant(number: int) -> None:
        sender = f"+4477009{number:05d}"
        for step, body in enumerate(REPLIES):
            sid = f"SM{number:08d}{step:02d}"
            try:
                status = post(port, sid, sender, body)
            except (OSError, urllib.error.URLError):
                return  # the server is gone
            assert status == 200
            with lock:
                acknowledged.append(sid)

    def tenants(first: int) -> None:
        for number in range(first, 10_000, TENANTS_AT_ONCE):
            if process.poll() is not None:
                return
            tenant(number)

    try:
        started(port, process)
        threads = [threading.Thread(target=tenants, args=(n,)) for n in range(TENANTS_AT_ONCE)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + WAIT
        while len(acknowledged) < KILL_AFTER:
            assert time.monotonic() < deadline, f"only {len(acknowledged)} acknowledged"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(WAIT)
        for thread in threads:
            thread.join(WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(select(INBOUND.c.provider_id, INBOUND.c.reply_id))
            stored = {row.provider_id: row.reply_id for row in rows}
            replies = set(connection.scalars(select(OUTBOUND.c.id)))
    finally:
        database.dispose()
    assert len(acknowledged) >= KILL_AFTER
    missing = set(acknowledged) - set(stored)
    assert not missing, f"{len(missing)} acknowledged webhooks were lost"
    assert all(reply in replies for reply in stored.values()), "a message without its reply"
