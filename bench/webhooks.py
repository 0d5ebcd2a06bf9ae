"""Webhook benchmark: signed Twilio SMS webhooks on loopback, beside FastAPI's own ceiling.

Starts two uvicorn servers on 127.0.0.1 with the same settings, each in its own process:
Doorstep's app (the real `POST /webhooks/twilio/sms`: signature check, engine, commit,
empty TwiML) and a bare FastAPI app whose endpoint at the same path only returns the same
empty TwiML. A load generator then plays the same requests at both: simulated tenants each
answering the post-repair survey (7 signed webhooks, in order), several tenants at once on
keep-alive connections. It prints requests/s and latency percentiles for both and the ratio.

On PostgreSQL it then runs the scale-out check (bench/scaleout.py): 1 and 2 API processes
plus a dispatch worker, and afterwards counts that nothing was recorded or sent twice.

    python bench/webhooks.py [--respondents 300] [--connections 16] [--sqlite-only]
                             [--postgres-only] [--no-scale-out] [--postgres-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scaleout
from twilio.request_validator import RequestValidator

PATH = "/webhooks/twilio/sms"
REPLIES = ["REPAIR", "yes", "2", "no", "yes", "1", "The operative was quick and tidy."]
TOKEN = "bench-auth-token"
ACCOUNT = "AC" + "0" * 31 + "9"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_SCHEMA = "doorstep_bench_webhooks"


# --- the servers (run in child processes) -------------------------------------------------
def serve(kind: str, port: int, database_url: str, public_port: int | None = None) -> None:
    import uvicorn

    if kind == "bare":
        from fastapi import FastAPI, Response

        app = FastAPI()

        @app.post(PATH)
        async def sms() -> Response:
            return Response(EMPTY_TWIML, media_type="text/xml")

    else:
        from pydantic import SecretStr

        from api.app import create_app
        from bot.service import build_service
        from bot.settings import Settings
        from channels.registry import ChannelRegistry

        settings = Settings(
            environment="test",
            database_url=database_url,
            public_base_url=f"http://127.0.0.1:{public_port or port}",
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=SecretStr(TOKEN),
            twilio_from="+447700900000",
        )
        service = build_service(settings)
        app = create_app(
            settings, service, ChannelRegistry(), background=False, freeze_start_up=True
        )
    # Identical server settings for both: one process, asyncio loop, h11, no access log.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="asyncio",
        http="h11",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    kind: str, database_url: str = "", public_port: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [sys.executable, __file__, "--serve", kind, "--port", str(port)]
    command += ["--database-url", database_url, "--public-port", str(public_port or port)]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the {kind} server did not start") from None
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the {kind} server did not start within a minute")


# --- the load --------------------------------------------------------------------------
def conversations(port: int, first: int, count: int, retry: bool = False) -> list[list[bytes]]:
    """Each simulated tenant's 7 signed webhooks, as raw HTTP/1.1 requests.

    With `retry`, the third is sent twice (Twilio retrying it): it must count once.
    """
    validator = RequestValidator(TOKEN)
    url = f"http://127.0.0.1:{port}{PATH}"
    tenants = []
    for number in range(first, first + count):
        requests = []
        for step, reply in enumerate(REPLIES):
            form = {
                "MessageSid": f"SM{number:016d}{step:016d}",
                "AccountSid": ACCOUNT,
                "From": f"+4477009{number % 100000:05d}",
                "To": "+447700900000",
                "Body": reply,
                "NumSegments": "1",
            }
            body = urlencode(form).encode()
            head = (
                f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"X-Twilio-Signature: {validator.compute_signature(url, form)}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            requests.append(head.encode() + body)
            if retry and step == 2:
                requests.append(head.encode() + body)
        tenants.append(requests)
    return tenants


async def one_connection(port: int, queue: asyncio.Queue[list[bytes]], out: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while not queue.empty():
            for request in queue.get_nowait():
                began = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                out.append(time.perf_counter() - began)
                if status != 200 or body.decode() != EMPTY_TWIML:
                    raise SystemExit(f"unexpected answer {status}: {body[:200]!r}")
    finally:
        writer.close()


async def load(port: int | list[int], tenants: list[list[bytes]], connections: int) -> Result:
    """Play the tenants over `connections`, spread over the ports as a load balancer would."""
    ports = port if isinstance(port, list) else [port]
    queue: asyncio.Queue[list[bytes]] = asyncio.Queue()
    for tenant in tenants:
        queue.put_nowait(tenant)
    latencies: list[float] = []
    began = time.perf_counter()
    await asyncio.gather(
        *(one_connection(ports[n % len(ports)], queue, latencies) for n in range(connections))
    )
    return Result(latencies, time.perf_counter() - began)


@dataclass
class Result:
    latencies: list[float]
    seconds: float

    def add(self, other: Result) -> Result:
        return Result(self.latencies + other.latencies, self.seconds + other.seconds)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def measure(
    database_url: str,
    respondents: int,
    connections: int,
    rounds: int,
    processes: int = 1,
    notes: Path | None = None,
) -> tuple[Result, Result]:
    """Doorstep (in `processes` API processes) and the bare ceiling, in alternating rounds.

    With `notes`, a dispatch worker sends the replies as they are queued, and every
    tenant's third webhook is sent twice, as a Twilio retry.
    """
    public = free_port()  # the one public URL every API process signs for
    servers = [start_server("doorstep", database_url, public) for _ in range(processes)]
    ports = [port for _, port in servers]
    bare, bare_port = start_server("bare")
    worker = scaleout.start_worker(__file__, database_url, notes) if notes else None
    retry = notes is not None
    try:
        # Warm up both (imports, caches, first connections), then alternate rounds so both
        # see the same machine; every round uses new tenants, so every request is real work.
        asyncio.run(load(ports, conversations(public, 90000, 20, retry), connections))
        asyncio.run(load(bare_port, conversations(bare_port, 90000, 20, retry), connections))
        ours = ceiling = Result([], 0.0)
        for round_number in range(rounds):
            first = round_number * respondents
            tenants = conversations(public, first, respondents, retry)
            ours = ours.add(asyncio.run(load(ports, tenants, connections)))
            tenants = conversations(bare_port, first, respondents, retry)
            ceiling = ceiling.add(asyncio.run(load(bare_port, tenants, connections)))
        if worker is not None and notes is not None:
            sent = (20 + respondents * rounds) * len(REPLIES)
            print_audit(processes, ours, ceiling, scaleout.audit(database_url, notes, sent))
    finally:
        for process in [*(server for server, _ in servers), bare, *([worker] if worker else [])]:
            process.terminate()
            process.wait(timeout=30)
    return ours, ceiling


def row(name: str, ours: Result, ceiling: Result) -> str:
    return (
        f"| {name} | {ours.per_second:,.0f} | {ours.percentile(0.5):.2f} ms "
        f"| {ours.percentile(0.99):.2f} ms | {ceiling.per_second:,.0f} "
        f"| {ceiling.percentile(0.5):.2f} ms | {ceiling.percentile(0.99):.2f} ms "
        f"| **{ours.per_second / ceiling.per_second:.2f}** |"
    )


def print_audit(processes: int, ours: Result, ceiling: Result, audit: scaleout.Audit) -> None:
    verdict = "nothing twice" if audit.clean else "**DUPLICATES OR LOSSES**"
    print(
        f"| {processes} + worker | {ours.per_second:,.0f} | {ours.percentile(0.5):.2f} ms "
        f"| {ours.percentile(0.99):.2f} ms | {ceiling.per_second:,.0f} "
        f"| **{ours.per_second / ceiling.per_second:.2f}** "
        f"| {audit.inbound:,} of {audit.webhooks:,} | {audit.answers_twice} "
        f"| {audit.sends:,} of {audit.outbox:,} ({audit.unsent} unsent) | {audit.sent_twice} "
        f"| {verdict} |",
        flush=True,
    )
    if not audit.clean:
        raise SystemExit(f"scale-out check failed: {audit}")


def postgres_url(base: str) -> str:
    import psycopg

    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{BENCH_SCHEMA}" CASCADE')
        connection.execute(f'CREATE SCHEMA "{BENCH_SCHEMA}"')
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{BENCH_SCHEMA}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=300, help="tenants per round")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    parser.add_argument("--no-scale-out", action="store_true", help="skip 1 and 2 API processes")
    parser.add_argument("--postgres-url", default=os.environ.get("DOORSTEP_BENCH_POSTGRES_URL"))
    parser.add_argument("--serve", choices=["doorstep", "bare", "worker"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--public-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--notes", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve == "worker":
        scaleout.serve_worker(options.database_url, options.notes)
        return
    if options.serve:
        serve(options.serve, options.port, options.database_url, options.public_port)
        return
    requests = options.respondents * len(REPLIES) * options.rounds
    print(
        f"{requests} signed webhooks per server ({options.respondents} tenants x "
        f"{len(REPLIES)} replies x {options.rounds} rounds), {options.connections} connections\n"
    )
    print("| database | Doorstep req/s | p50 | p99 | bare FastAPI req/s | p50 | p99 | ratio |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    arguments = (options.respondents, options.connections, options.rounds)
    if not options.postgres_only:
        with tempfile.TemporaryDirectory() as folder:
            sqlite = f"sqlite:///{Path(folder) / 'bench.db'}"
            print(row("SQLite", *measure(sqlite, *arguments)), flush=True)
    if options.sqlite_only:
        return
    base = options.postgres_url or DEFAULT_POSTGRES
    print(row("PostgreSQL", *measure(postgres_url(base), *arguments)), flush=True)
    if options.no_scale_out:
        return
    print(
        "\nPostgreSQL scale-out: API processes behind one public URL plus a dispatch worker; "
        "each tenant's third webhook sent twice (a Twilio retry)\n"
    )
    print(
        "| API processes | Doorstep req/s | p50 | p99 | bare FastAPI req/s (1 process) | ratio "
        "| inbound recorded | answers twice | replies sent | sent twice | check |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for processes in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            notes = Path(folder) / "sends.txt"
            measure(postgres_url(base), *arguments, processes=processes, notes=notes)


if __name__ == "__main__":
    main()
