"""A git smart-HTTP remote on 127.0.0.1 that demands Basic auth, via ``git http-backend``.

Stands in for GitHub's HTTPS git endpoint: real git on both ends, only the
network hop is local. Every request's Authorization header is recorded.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass
class GitHttp:
    """The served root (bare repositories below it) and the accepted credential."""

    root: Path
    user: str
    password: str
    url: str = ""
    seen: list[str] = field(default_factory=list)

    def accepts(self, header: str) -> bool:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return header.strip().lower() == f"basic {token}".lower()


def _handler(remote: GitHttp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            header = self.headers.get("Authorization", "")
            remote.seen.append(header)
            if not remote.accepts(header):
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            env = {
                "PATH": os.environ["PATH"],
                "GIT_PROJECT_ROOT": str(remote.root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "REMOTE_USER": remote.user,
                "REQUEST_METHOD": self.command,
                "PATH_INFO": parts.path,
                "QUERY_STRING": parts.query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                "GIT_CONFIG_NOSYSTEM": "1",
            }
            found = subprocess.run(
                ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
            )
            head, _, payload = found.stdout.partition(b"\r\n\r\n")
            status = 200
            headers: list[tuple[str, str]] = []
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split(" ")[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def git_http(root: Path, user: str, password: str) -> Iterator[GitHttp]:
    """Serve ``root`` until the block ends; ``.url`` is the base URL."""
    remote = GitHttp(root, user, password)
    server = _Server(("127.0.0.1", 0), _handler(remote))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    remote.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield remote
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
