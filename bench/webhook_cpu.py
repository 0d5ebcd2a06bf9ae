"""CPU per webhook on PostgreSQL: the Doorstep server's and its database backends'.

Requests per second move with whatever else runs on a shared machine; the CPU time a
process spent per webhook hardly does. This starts the Doorstep server of
`bench/webhooks.py` on PostgreSQL, warms it up, plays a fixed number of signed webhooks
at it (16 connections), and prints the user + system CPU time per webhook of the server
process and of the PostgreSQL backends serving its connections (found by their
application name), read from /proc before and after. Linux only.

    python bench/webhook_cpu.py [--respondents 300] [--repeat 2] [--postgres-url ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
import webhooks

APPLICATION = "doorstep_bench_cpu"
TICK = os.sysconf("SC_CLK_TCK")


def split_cpu(pid: int) -> tuple[float, float]:
    """User and system time of a process (all its threads); zeros once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0, 0.0
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def cpu_seconds(pid: int) -> float:
    return sum(split_cpu(pid))


def switches(pid: int) -> int:
    """Context switches of all a process's threads (each one a wake-up or a preemption)."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            text = status.read_text()
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
        for line in text.splitlines():
            if "ctxt_switches:" in line:  # voluntary and not
                total += int(line.split()[-1])
    return total


def backends(base: str) -> list[int]:
    with psycopg.connect(base, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APPLICATION,)
        ).fetchall()
    return [int(pid) for (pid,) in rows]


def commits(base: str) -> int:
    with psycopg.connect(base, autocommit=True) as connection:
        row = connection.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=300, help="tenants per measure")
    parser.add_argument("--repeat", type=int, default=2, help="measures in a row")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--postgres-url", default=webhooks.DEFAULT_POSTGRES)
    options = parser.parse_args()
    url = webhooks.postgres_url(options.postgres_url) + f"&application_name={APPLICATION}"
    server, port = webhooks.start_server("doorstep", url)
    try:
        asyncio.run(webhooks.load(port, webhooks.conversations(port, 90000, 40), 16))
        print(
            "| webhooks | req/s | server user | server system | server switches "
            "| backends | server + backends | commits |"
        )
        print("|---|---|---|---|---|---|---|---|", flush=True)
        for number in range(options.repeat):
            tenants = webhooks.conversations(port, number * options.respondents,
                                             options.respondents)  # fmt: skip
            pids = backends(options.postgres_url)
            user_before, system_before = split_cpu(server.pid)
            switches_before = switches(server.pid)
            backends_before = sum(cpu_seconds(pid) for pid in pids)
            commits_before = commits(options.postgres_url)
            began = time.perf_counter()
            result = asyncio.run(webhooks.load(port, tenants, options.connections))
            seconds = time.perf_counter() - began
            user, system = split_cpu(server.pid)
            user, system = user - user_before, system - system_before
            switched = switches(server.pid) - switches_before
            # A backend that started during the measure counts from zero.
            backends_cpu = sum(cpu_seconds(pid) for pid in backends(options.postgres_url))
            backends_cpu -= backends_before
            count = len(result.latencies)
            made = commits(options.postgres_url) - commits_before - 2  # our own two reads
            each = [f"{value / count * 1000:.3f} ms" for value in
                    (user, system, backends_cpu, user + system + backends_cpu)]  # fmt: skip
            print(
                f"| {count:,} | {count / seconds:,.0f} | {each[0]} | {each[1]} "
                f"| {switched / count:.1f} | {each[2]} | {each[3]} | {made / count:.2f} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
