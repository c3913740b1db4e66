"""What every fake service shares: an HTTP server on 127.0.0.1 (port 0) in a daemon thread, used
as a context manager. Each fake keeps only its routes and its scripting."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: Any = None  # the fake service whose handlers answer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that timed out and hung up is expected in these tests: stay quiet."""


class LoopbackServer:
    """Binds at construction (so its address is known before it starts); serves once started."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], name: str) -> None:
        self._httpd = QuietHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name=name, daemon=True
        )

    @property
    def address(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    close = stop

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
