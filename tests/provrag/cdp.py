"""A tiny Chrome DevTools Protocol client for the browser tests (websocket-client)."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import websocket

#: the flags every test Chromium starts with (no network of its own, a throwaway profile)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


class Page:
    """One page target: send commands, evaluate JavaScript, wait, take screenshots."""

    def __init__(self, ws_url: str) -> None:
        self._ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self._next = 0
        #: protocol events received so far (e.g. ``Network.requestWillBeSent``)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        self._ws.send(json.dumps({"id": self._next, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if "method" in message:
                self.events.append(message)
            elif message.get("id") == self._next:
                if "error" in message:
                    raise RuntimeError(f"{method} failed: {message['error']}")
                return dict(message.get("result", {}))

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 180.0) -> Any:
        """Poll ``expression`` until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise TimeoutError(f"{expression!r} stayed falsy for {timeout} s")

    def network_authorizations(self) -> list[str]:
        """The ``Authorization`` headers of the requests seen (``Network.enable`` first)."""
        out = []
        for event in self.events:
            if event["method"] == "Network.requestWillBeSent":
                headers = event["params"]["request"].get("headers", {})
                out += [v for k, v in headers.items() if k.lower() == "authorization"]
        return out

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def close(self) -> None:
        self._ws.close()


@contextlib.contextmanager
def open_page(chromium: str, profile: Path, url: str) -> Iterator[Page]:
    """Start headless Chromium on ``url`` with a DevTools port of its choosing; its page."""
    proc = subprocess.Popen(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    page: Page | None = None
    try:
        port = _devtools_port(proc)
        deadline = time.monotonic() + 30
        ws_url = None
        while ws_url is None and time.monotonic() < deadline:
            targets = httpx.get(f"http://127.0.0.1:{port}/json", timeout=5).json()
            ws_url = next(
                (t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page"), None
            )
            if ws_url is None:
                time.sleep(0.2)
        if ws_url is None:
            raise RuntimeError("Chromium opened no page target")
        page = Page(ws_url)
        yield page
    finally:
        if page is not None:
            page.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _devtools_port(proc: subprocess.Popen[str]) -> int:
    """The port of ``DevTools listening on ws://127.0.0.1:PORT/...`` on Chromium's stderr."""
    if proc.stderr is None:
        raise RuntimeError("Chromium's stderr is not captured")
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        match = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
        if match:
            # keep reading stderr so that a chatty browser never blocks on a full pipe
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return int(match.group(1))
    raise RuntimeError(f"Chromium did not open a DevTools port: {''.join(seen)[-2000:]}")
