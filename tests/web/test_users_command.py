"""`wegwijs users ...`: the first admin, accounts, passwords and API tokens from the terminal."""

from __future__ import annotations

import asyncio
import io
import re

import pytest

from bot.cli import main
from bot.store.db import Database
from bot.store.staff_accounts import StaffAccounts
from bot.web.passwords import verify_password


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["users", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _user(url: str, email: str):  # type: ignore[no-untyped-def]
    async def find():  # type: ignore[no-untyped-def]
        db = Database(url)
        try:
            return await StaffAccounts(db).by_email(email)
        finally:
            await db.close()

    return asyncio.run(find())


def test_users_add_list_password_token(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    code, out, _ = _run(
        capsys, "add", "--role", "admin", "--email", "Root@Example.org", "--generate"
    )
    assert code == 0 and "alle bibliotheken" in out
    [password] = re.findall(r"Wachtwoord \(wordt niet nog eens getoond\): (\S+)", out)
    user = _user(sqlite_url, "root@example.org")
    assert user is not None and user.role == "admin" and user.library_id is None
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, password)

    monkeypatch.setattr("sys.stdin", io.StringIO("een-lang-wachtwoord\n"))
    code, out, _ = _run(
        capsys,
        "add",
        "--role",
        "staff",
        "--library",
        "stadkamer",
        "--email",
        "els@stadkamer.nl",
        "--password-stdin",
    )
    assert code == 0 and "staff bij stadkamer" in out and "Wachtwoord" not in out
    els = _user(sqlite_url, "els@stadkamer.nl")
    assert els is not None and verify_password(els.password_hash, "een-lang-wachtwoord")

    assert _run(capsys, "add", "--role", "staff", "--email", "x@y.nl", "--generate")[0] == 1
    assert (
        _run(
            capsys,
            "add",
            "--role",
            "staff",
            "--library",
            "nergens",
            "--email",
            "x@y.nl",
            "--generate",
        )[0]
        == 1
    )
    code, _, err = _run(
        capsys, "add", "--role", "admin", "--email", "root@example.org", "--generate"
    )
    assert code == 1 and "al een account" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    code, _, err = _run(
        capsys,
        "add",
        "--role",
        "trainer",
        "--library",
        "stadkamer",
        "--email",
        "t@s.nl",
        "--password-stdin",
    )
    assert code == 1 and "minstens 12" in err

    code, out, _ = _run(capsys, "list")
    assert code == 0 and "root@example.org" in out and "els@stadkamer.nl" in out

    code, out, _ = _run(
        capsys, "token", "--email", "els@stadkamer.nl", "--name", "Bibliotheeksysteem"
    )
    assert code == 0
    [token] = re.findall(r"^(wgw_\S+)$", out, re.M)
    code, out, _ = _run(capsys, "token", "--list")
    assert code == 0 and token[:10] in out and "Bibliotheeksysteem" in out
    token_id = re.findall(r"^\s*(\d+)\s", out, re.M)[0]
    assert _run(capsys, "token", "--revoke", token_id)[0] == 0
    assert _run(capsys, "token", "--revoke", token_id)[0] == 1

    code, out, _ = _run(capsys, "password", "--email", "els@stadkamer.nl", "--generate")
    assert code == 0
    [new_password] = re.findall(r": (\S+)$", out.strip(), re.M)
    els = _user(sqlite_url, "els@stadkamer.nl")
    assert els is not None and verify_password(els.password_hash, new_password)
    assert _run(capsys, "disable", "--email", "els@stadkamer.nl")[0] == 0
    els = _user(sqlite_url, "els@stadkamer.nl")
    assert els is not None and not els.active
