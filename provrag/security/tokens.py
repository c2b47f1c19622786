"""API tokens of ``provrag serve``, stored hashed in ``<home>/tokens.sqlite``.

A token is ``prv_`` + a random 32-byte url-safe secret, printed once when made;
the file keeps only its sha256, its id, role, dataset scopes, expiry and
revocation. Why a SQLite file and not the graph: the embedded graph store is
open in one process at a time (the server's), while ``provrag token revoke``
must work while the server runs and take effect on its next request; and token
hashes have no business in a graph that admins export and query. The server
re-reads the file only when it changed (SQLite's change counter, read per request).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kg.typing import ROLES, Role, literal_value
from provrag.errors import TokenError, UsageError

#: how a secret starts (so that secret scanners and people recognise one)
PREFIX = "prv_"
_DURATION = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SCHEMA = """CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  datasets TEXT,
  created TEXT NOT NULL,
  expires TEXT,
  revoked TEXT
)"""


def hash_secret(secret: str) -> str:
    """The sha256 (hex) a token is stored and looked up by."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_role(value: str) -> Role:
    role = literal_value(ROLES, value)
    if role is None:
        raise UsageError(f"unknown role {value!r}; use one of: {', '.join(ROLES)}")
    return role


def parse_expiry(value: str | None, now: datetime | None = None) -> datetime | None:
    """``value`` as an expiry time: a duration from now (``30d``, ``12h``, ``90m``,
    ``2w``), a date (``2026-12-31``, the start of that day, UTC) or an ISO time."""
    if value is None or not value.strip():
        return None
    now = now or datetime.now(UTC)
    text = value.strip().lower()
    m = _DURATION.fullmatch(text)
    if m:
        return now + timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--expires {value!r} is neither a duration (30d, 12h, 90m, 2w) nor a date "
            "(2026-12-31) or an ISO time (2026-12-31T18:00:00Z)"
        ) from None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    if when <= now:
        raise TokenError(f"--expires {value!r} is in the past; give a later time")
    return when


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """``value`` as a start time: a duration back from now (``1h``, ``7d``), a date or
    an ISO time (``provrag audit --since``)."""
    if value is None or not value.strip():
        return None
    now = now or datetime.now(UTC)
    m = _DURATION.fullmatch(value.strip().lower())
    if m:
        return now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since {value!r} is neither a duration (90m, 12h, 7d, 2w) nor a date "
            "(2026-11-30) or an ISO time (2026-11-30T09:00:00Z)"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass(frozen=True)
class TokenRecord:
    """What the file keeps of a token (never its secret)."""

    id: str
    role: Role
    #: the datasets the token may read; None: every dataset
    datasets: tuple[str, ...] | None
    created: datetime
    expires: datetime | None = None
    revoked: datetime | None = None

    def usable(self, now: datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        now = now or datetime.now(UTC)
        return self.revoked is None and (self.expires is None or self.expires > now)

    def status(self, now: datetime | None = None) -> str:
        if self.revoked is not None:
            return "revoked"
        return "active" if self.usable(now) else "expired"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "datasets": None if self.datasets is None else list(self.datasets),
            "created": self.created.isoformat(),
            "expires": None if self.expires is None else self.expires.isoformat(),
            "revoked": None if self.revoked is None else self.revoked.isoformat(),
            "status": self.status(),
        }


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _record(row: sqlite3.Row | tuple[Any, ...]) -> TokenRecord:
    tid, _hash, role, datasets, created, expires, revoked = row
    created_at = _time(created)
    if created_at is None:  # pragma: no cover - the column is NOT NULL
        raise TokenError(f"token {tid!r} has no creation time; revoke it and make a new one")
    return TokenRecord(
        id=tid,
        role=parse_role(role),
        datasets=None if datasets is None else tuple(d for d in datasets.split("\n") if d),
        created=created_at,
        expires=_time(expires),
        revoked=_time(revoked),
    )


class TokenStore:
    """The tokens of one project home."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: bytes | None = None
        self._by_hash: dict[str, TokenRecord] = {}

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10)
        con.execute(_SCHEMA)
        return con

    def create(
        self,
        role: Role,
        *,
        datasets: Sequence[str] | None = None,
        expires: datetime | None = None,
    ) -> tuple[str, TokenRecord]:
        """A new token: its secret (shown once, never stored) and its record."""
        scopes = None if datasets is None else tuple(sorted({d.strip() for d in datasets}))
        if scopes is not None and (not scopes or "" in scopes):
            raise TokenError(f"--datasets {datasets!r} names no dataset; give D1,D2,...")
        if role == "admin" and scopes is not None:
            raise TokenError(
                f"an admin token sees every dataset; drop --datasets {','.join(scopes)} "
                "or give a reading role (public, internal, restricted)"
            )
        secret = PREFIX + secrets.token_urlsafe(32)
        record = TokenRecord(
            id="tok_" + secrets.token_hex(6),
            role=role,
            datasets=scopes,
            created=datetime.now(UTC),
            expires=expires,
        )
        with self._connect() as con:
            con.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (
                    record.id,
                    hash_secret(secret),
                    role,
                    None if scopes is None else "\n".join(scopes),
                    record.created.isoformat(),
                    None if expires is None else expires.isoformat(),
                ),
            )
        con.close()
        return secret, record

    def list(self) -> list[TokenRecord]:
        """Every token, oldest first (revoked and expired ones included)."""
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            rows = con.execute("SELECT * FROM tokens ORDER BY created, id").fetchall()
        finally:
            con.close()
        return [_record(r) for r in rows]

    def revoke(self, token_id: str) -> TokenRecord:
        """Revoke ``token_id`` (from then on, 401); revoking twice keeps the first time."""
        con = self._connect()
        try:
            with con:
                con.execute(
                    "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                    (datetime.now(UTC).isoformat(), token_id),
                )
                row = con.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone()
        finally:
            con.close()
        if row is None:
            known = ", ".join(t.id for t in self.list()) or "none"
            raise TokenError(f"no token has the id {token_id!r}; known ids: {known}")
        return _record(row)

    def lookup(self, secret: str) -> TokenRecord | None:
        """The record of ``secret`` (usable or not), or None for a secret never issued."""
        try:
            with self.path.open("rb") as fh:
                # SQLite's file change counter (header bytes 24-27): every commit
                # bumps it, also two within one tick of the file system's clock
                stamp = fh.read(28)[24:]
        except FileNotFoundError:
            return None
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    con = self._connect()
                    try:
                        rows = con.execute("SELECT * FROM tokens").fetchall()
                    finally:
                        con.close()
                    self._by_hash = {r[1]: _record(r) for r in rows}
                    self._stamp = stamp
        return self._by_hash.get(hash_secret(secret))
