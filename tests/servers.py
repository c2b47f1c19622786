"""Servers the tests start themselves, on 127.0.0.1: a free port, and a process run
until it answers and stopped afterwards."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import pytest


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(
    command: list[str],
    ready_url: str,
    *,
    name: str,
    timeout_s: float,
    params: Mapping[str, str] | None = None,
    stop_timeout_s: float = 20.0,
    **popen: Any,  # noqa: ANN401
) -> Iterator[None]:
    """Run ``command`` until a GET of ``ready_url`` succeeds, then yield; stop it after.

    Its output goes to a file, not a pipe (a chatty server never blocks on it), and
    is shown when it exits early. The test fails when it exits or does not answer
    within ``timeout_s``.
    """
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    err = log.read().decode(errors="replace")
                    pytest.fail(f"{name} exited with code {proc.returncode}: {err}")
                try:
                    if httpx.get(ready_url, params=params, timeout=2).is_success:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} did not answer on {ready_url} in {timeout_s}s")
                time.sleep(0.1)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=stop_timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
