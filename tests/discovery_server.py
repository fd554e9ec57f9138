"""A loopback server that lists models as Ollama (/api/tags) and OpenAI (/v1/models) do."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TAGS = {"models": [{"name": "llama3.2:latest"}, {"name": "qwen2.5-coder:7b"}, {"size": 1}]}
LISTING = {"object": "list", "data": [{"id": "local-coder"}, {"id": "local-chat"}]}


class Listing(BaseHTTPRequestHandler):
    seen: list[str] = []
    hold: threading.Event | None = None
    """When set, each answer waits for it: a test acts while discovery is under way."""

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.hold is not None:
            self.hold.wait()
        body = {"/api/tags": TAGS, "/v1/models": LISTING}.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body or {"error": "no"}).encode())

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def listing_server(hold: threading.Event | None = None) -> Iterator[str]:
    """The server's URL while it runs in a thread; what it was asked is in ``Listing.seen``.
    With ``hold`` it answers only once that is set."""
    Listing.seen, Listing.hold = [], hold
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Listing)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        if hold is not None:
            hold.set()  # no request left waiting on shutdown
        httpd.shutdown()
        httpd.server_close()


def models_yaml(url: str) -> str:
    """Ollama (discovery on by default) and an OpenAI-compatible ``local`` with ``discover: true``."""
    return (
        "providers:\n"
        f"  ollama: {{base_url: '{url}/v1'}}\n"
        f"  local: {{type: openai_compat, base_url: '{url}/v1', needs_key: false, discover: true}}\n"
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
