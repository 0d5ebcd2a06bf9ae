"""A real uvicorn serving an app on a free 127.0.0.1 port, in a thread, for browser tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn


@contextlib.contextmanager
def live_server(build_app: Callable[[str], Any]) -> Iterator[str]:
    """Serve `build_app(url)` and yield its URL; the app is built once the port is known,
    so settings that must name the public URL (signed links, cookies) can be set first."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(build_app(url), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the test server did not start"
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
