"""A slow link to the database: a TCP proxy that delays every chunk by a fixed time each way.

On one machine the database answers over loopback in a few microseconds, so saving a round
trip saves almost nothing there; a service whose PostgreSQL is on another machine pays a
network round trip for each. Point a benchmark at this proxy to see what the round trips
cost with a network between them:

    python bench/slow_link.py --delay-ms 0.25 &        # listens on 127.0.0.1:6543
    python bench/webhooks.py --postgres-only --no-scale-out \
        --postgres-url postgresql://postgres@127.0.0.1:6543/test

Each direction of each connection is one thread that sleeps until a chunk is due, so the
delay is a floor, not exact: under load, and with Python's interpreter lock shared by every
connection's threads, a round trip here takes longer than twice `--delay-ms` (measure the
bare driver's floor through it, as `bench/engine.py` prints, to see what it really is).
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import threading
import time


def forward(source: socket.socket, target: socket.socket, delay: float) -> None:
    """Copy one direction, each chunk sent `delay` seconds after it was read."""
    try:
        while data := source.recv(65536):
            due = time.perf_counter() + delay
            while (left := due - time.perf_counter()) > 0:
                time.sleep(left)
            target.sendall(data)
    except OSError:
        pass  # the other side closed: close both
    finally:
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


def serve(listen: tuple[str, int], upstream: tuple[str, int], delay: float) -> None:
    with socket.create_server(listen, backlog=256) as listener:
        print(f"delaying {delay * 1000:.2f} ms each way: {listen[0]}:{listen[1]} -> "
              f"{upstream[0]}:{upstream[1]}", flush=True)  # fmt: skip
        while True:
            client, _ = listener.accept()
            server = socket.create_connection(upstream)
            for end in (client, server):
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=forward, args=(source, target, delay), daemon=True).start()


def address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=0.25, help="one way, per chunk")
    parser.add_argument("--listen", type=address, default=("127.0.0.1", 6543))
    parser.add_argument("--to", type=address, default=("127.0.0.1", 5432), dest="upstream")
    options = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        serve(options.listen, options.upstream, options.delay_ms / 1000)


if __name__ == "__main__":
    main()
