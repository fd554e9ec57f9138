"""A loopback OpenAI-compatible model that answers from a script, one answer per request, and
keeps every request body: for flows that talk to a model several times (chains new)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ScriptedModel:
    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []
        self.url = ""

    def models_yaml(self) -> str:
        return (
            "providers:\n"
            f"  scripted: {{type: openai_compat, base_url: '{self.url}/v1', needs_key: false}}\n"
            "models:\n"
            "  scripted:writer: {price: {input: 0, output: 0}}\n"
        )


@contextmanager
def scripted_model(answers: list[str]) -> Iterator[ScriptedModel]:
    """The model's answers in order (the last one repeats); its requests in ``requests``."""
    model = ScriptedModel(answers)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            model.requests.append(body)
            answer = model.answers.pop(0) if len(model.answers) > 1 else model.answers[0]
            chunks = [
                {"choices": [{"index": 0, "delta": {"content": answer}}]},
                {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                {"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 20}},
            ]
            payload = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
            data = payload.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    model.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield model
    finally:
        httpd.shutdown()
        httpd.server_close()
