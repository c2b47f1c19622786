"""Load on loopback: concurrent clients searching a real ``provrag serve``, with
security (tokens, clearances, audit) on and then off, and the cost of it.

1. Makes a project home (or takes ``--home``) holding the bundled example data,
   ingested and indexed, and an ``internal`` API token.
2. For each mode (``on``: ``security.auth = true``, the default; ``off``: no tokens,
   no audit), starts ``provrag serve`` on a free loopback port, waits for
   ``/health``, warms the retriever up, then runs ``--clients`` concurrent clients
   (asyncio + httpx), each sending ``GET /search`` for a query of the golden set
   after the previous answer, until ``--duration`` seconds have passed or
   ``--max-requests`` have been sent (bounded in time and count). Stops the server
   (with auth on, the audit writer finishes its queue) and, with auth on, counts
   the audited requests with ``provrag audit``.
3. Prints a table (requests, requests/s, p50/p95 latency, errors, audited) and the
   ratios on/off, with the load average before and after each run (the machine's
   other work skews the numbers: compare runs made under the same load), and
   writes ``bench_results/bench_serve.json``.

    .venv/bin/python scripts/bench_serve.py                    # 32 clients, 60 s each
    .venv/bin/python scripts/bench_serve.py --duration 5 --clients 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "provrag" / "example_data"
CLI = [sys.executable, "-c", "from provrag.cli import main; main()"]
MODES = ("on", "off")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def provrag(home: Path, *args: str) -> str:
    """Run the CLI on ``home``; its stdout (raises with its output on failure)."""
    done = subprocess.run(
        [*CLI, "--home", str(home), *args], capture_output=True, text=True, env=_env()
    )
    if done.returncode not in (0, 3):  # 3: ingest with records skipped, still usable
        raise SystemExit(f"provrag {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def prepare(home: Path) -> str:
    """The example data ingested into ``home`` (once), and a new internal token."""
    if not (home / "store").exists():
        home.mkdir(parents=True, exist_ok=True)
        (home / "provrag.toml").write_text("ner = false\n", encoding="utf-8")
        provrag(home, "ingest", str(DATA / "kb_v1.jsonl"))
    return str(
        json.loads(provrag(home, "token", "create", "--role", "internal", "--json"))["token"]
    )


def queries() -> list[str]:
    lines = (DATA / "golden.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["query"] for line in lines if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, mode: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = _env()
    env["PROVRAG_SECURITY__AUTH"] = "true" if mode == "on" else "false"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*CLI, "--home", str(home), "serve", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"provrag serve stopped ({proc.returncode}); see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"provrag serve did not answer /health within 120 s; see {log}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()  # uvicorn shuts down cleanly: the app's lifespan closes the audit
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def load(
    base: str, headers: dict[str, str], texts: list[str], clients: int, duration: float, cap: int
) -> dict[str, Any]:
    """``clients`` concurrent searchers for ``duration`` s or ``cap`` requests in all."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    stop_at = time.monotonic() + duration

    async def client(n: int, http: httpx.AsyncClient) -> None:
        nonlocal sent
        rng = random.Random(n)
        while time.monotonic() < stop_at and sent < cap:
            sent += 1
            t0 = time.perf_counter()
            try:
                r = await http.get("/search", params={"q": rng.choice(texts), "k": 10})
                if r.status_code != 200:
                    errors[f"HTTP {r.status_code}"] = errors.get(f"HTTP {r.status_code}", 0) + 1
                    continue
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append(time.perf_counter() - t0)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as http:
        t0 = time.monotonic()
        await asyncio.gather(*(client(n, http) for n in range(clients)))
        elapsed = time.monotonic() - t0
    latencies.sort()

    def pct(p: float) -> float | None:
        return (
            None if not latencies else latencies[min(len(latencies) - 1, int(p * len(latencies)))]
        )

    return {
        "requests": sent,
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "seconds": round(elapsed, 3),
        "requests_per_s": round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        "p50_ms": None if (v := pct(0.50)) is None else round(v * 1000, 2),
        "p95_ms": None if (v := pct(0.95)) is None else round(v * 1000, 2),
    }


def run_mode(home: Path, mode: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench_serve_{mode}_{port}.log"
    proc = start_server(home, mode, port, log)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"} if mode == "on" else {}
    texts = queries()
    try:
        # warm-up: the retriever (model, index, entity graph) is built on first use
        warm = httpx.get(f"{base}/search", params={"q": texts[0]}, headers=headers, timeout=300)
        if warm.status_code != 200:
            raise SystemExit(f"warm-up search answered {warm.status_code}: {warm.text[:300]}")
        load_before = os.getloadavg()
        since = datetime.now(UTC).isoformat()  # after the warm-up: only the load is counted
        result = asyncio.run(
            load(base, headers, texts, args.clients, args.duration, args.max_requests)
        )
        load_after = os.getloadavg()
    finally:
        stop_server(proc)
    result.update(mode=mode, load_before=load_before, load_after=load_after)
    if mode == "on":
        audited = json.loads(provrag(home, "audit", "--json", "--since", since))
        result["audited"] = sum(1 for r in audited if r["route"] == "/search")
    return result


def table(rows: list[dict[str, Any]], ratios: dict[str, float | None]) -> str:
    head = f"{'auth+audit':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
    head += f"{'errors':>7} {'audited':>8}  load avg (1 min) before -> after"
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['mode']:<10} {r['requests']:>9} {r['requests_per_s']:>8} {r['p50_ms']!s:>8} "
            f"{r['p95_ms']!s:>8} {r['errors']:>7} {r.get('audited', '-')!s:>8}  "
            f"{r['load_before'][0]:.2f} -> {r['load_after'][0]:.2f}"
        )
    if ratios:
        lines.append(
            "on/off: requests/s x{requests_per_s}, p50 x{p50_ms}, p95 x{p95_ms}".format(**ratios)
        )
    return "\n".join(lines)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per mode")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per mode, at most")
    parser.add_argument("--modes", default="on,off", help="on,off | on | off")
    parser.add_argument("--home", type=Path, default=None, help="default: a temporary home")
    parser.add_argument("--out", type=Path, default=REPO / "bench_results" / "bench_serve.json")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    if not modes or any(m not in MODES for m in modes):
        parser.error(f"--modes takes {', '.join(MODES)}, got {args.modes!r}")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        home = args.home or Path(tmp) / "home"
        token = prepare(home)
        rows = [run_mode(home, mode, token, args) for mode in modes]
    by = {r["mode"]: r for r in rows}
    ratios: dict[str, float | None] = {}
    if {"on", "off"} <= by.keys():
        ratios = {
            k: ratio(by["on"][k], by["off"][k]) for k in ("requests_per_s", "p50_ms", "p95_ms")
        }
    print(table(rows, ratios))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "clients": args.clients,
        "duration_s": args.duration,
        "max_requests": args.max_requests,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "runs": rows,
        "ratio_on_off": ratios,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
