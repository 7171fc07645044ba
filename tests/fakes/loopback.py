"""Serve a fake's ``handle`` as JSON over HTTP(S) on 127.0.0.1, in a thread.

The fakes (Vault, the Kubernetes API) only decide what to answer; how the
answer travels, and the server's lifetime, are the same for all of them.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (method, raw path with query, lower-case headers, body) -> (status, JSON body or None),
# or (status, JSON body or None, extra response headers).
Reply = (
    tuple[int, dict[str, Any] | list[Any] | None]
    | tuple[int, dict[str, Any] | list[Any] | None, dict[str, str]]
)
Handle = Callable[[str, str, dict[str, str], bytes], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client gave up (a timeout test) or failed the TLS handshake."""


def _handler_for(handle: Handle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = handle(self.command, self.path, headers, body)
            status, payload = reply[0], reply[1]
            extra: dict[str, str] = reply[2] if len(reply) == 3 else {}
            data = b"" if payload is None or status == 204 else json.dumps(payload).encode()
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data and self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_LIST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


@contextmanager
def serving(handle: Handle, name: str, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve until the block ends, yielding the base URL; the thread is joined on exit."""
    server = _Server(("127.0.0.1", 0), _handler_for(handle))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    # A short poll keeps shutdown (and so each test's teardown) quick.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name=name, daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
