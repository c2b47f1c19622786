"""API tokens: stored hashed, listed without secrets, revoked, expired; their times."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provrag.cli import app
from provrag.errors import TokenError, UsageError
from provrag.security.tokens import TokenStore, hash_secret, parse_expiry, parse_since

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_only_the_hash_of_a_secret_is_stored(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.sqlite")
    secret, record = store.create("internal", datasets=["kb", "faq"])
    raw = (tmp_path / "tokens.sqlite").read_bytes()
    assert secret.encode() not in raw and hash_secret(secret).encode() in raw
    assert store.lookup(secret) == record and record.datasets == ("faq", "kb")
    assert store.lookup(secret + "x") is None


def test_a_revoked_token_is_seen_revoked_at_once(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.sqlite")
    secret, record = store.create("admin")
    assert store.lookup(secret).usable()  # type: ignore[union-attr]  # cached now
    TokenStore(tmp_path / "tokens.sqlite").revoke(record.id)  # as another process would
    found = store.lookup(secret)
    assert found is not None and not found.usable() and found.status() == "revoked"


def test_an_expired_token_is_not_usable(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.sqlite")
    _, record = store.create("public", expires=NOW + timedelta(hours=1))
    assert record.usable(NOW) and not record.usable(NOW + timedelta(hours=2))


def test_admin_tokens_take_no_scopes_and_unknown_ids_are_named(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.sqlite")
    with pytest.raises(TokenError, match="admin"):
        store.create("admin", datasets=["kb"])
    with pytest.raises(TokenError, match="tok_nope"):
        store.revoke("tok_nope")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", NOW + timedelta(days=30)),
        ("12h", NOW + timedelta(hours=12)),
        ("2w", NOW + timedelta(weeks=2)),
        ("2026-12-31", datetime(2026, 12, 31, tzinfo=UTC)),
        (None, None),
    ],
)
def test_expiry_is_a_duration_or_a_date(text: str | None, expected: datetime | None) -> None:
    assert parse_expiry(text, NOW) == expected


def test_bad_or_past_expiry_and_since_are_refused() -> None:
    with pytest.raises(UsageError, match="soon"):
        parse_expiry("soon", NOW)
    with pytest.raises(TokenError, match="past"):
        parse_expiry("2020-01-01", NOW)
    assert parse_since("1h", NOW) == NOW - timedelta(hours=1)
    with pytest.raises(UsageError, match="yesterday"):
        parse_since("yesterday", NOW)


def test_the_cli_prints_a_secret_once_and_lists_none(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path)]
    made = CliRunner().invoke(app, [*home, "token", "create", "--role", "internal", "--json"])
    assert made.exit_code == 0, made.output
    token = json.loads(made.output)
    listed = CliRunner().invoke(app, [*home, "token", "list", "--json"])
    assert token["token"] not in listed.output
    assert [t["id"] for t in json.loads(listed.output)] == [token["id"]]
    revoked = CliRunner().invoke(app, [*home, "token", "revoke", token["id"]])
    assert revoked.exit_code == 0
    again = json.loads(CliRunner().invoke(app, [*home, "token", "list", "--json"]).output)
    assert again[0]["status"] == "revoked"
    bad = CliRunner().invoke(app, [*home, "token", "create", "--role", "root"])
    assert bad.exit_code == 64 and "root" in bad.output
