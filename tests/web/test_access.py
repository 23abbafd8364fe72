"""Every route refuses a request without a session or token, every form one without its CSRF
token, and nobody sees another library's data; each look at a participant's data is audited."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.routing import Route

from bot.store.audit import AuditLog
from bot.web.security import CSP
from tests.web.support import (
    BRANCH_A,
    BRANCH_B,
    LIBRARY_A,
    PASSWORD,
    Site,
    csrf_of,
    post_form,
    stuck_participant,
)

_PARAM = re.compile(r"\{([a-z_]+)(?::int)?\}")


def _routes(site: Site) -> list[Route]:
    return [r for r in site.dashboard.asgi.routes if isinstance(r, Route)]


def _concrete(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "day":
            return "2026-11-24"
        if name == "branch_id":
            return BRANCH_A
        return "1" if match.group(0).endswith(":int}") else "x"

    return _PARAM.sub(value, path)


def test_every_route_says_how_it_is_protected(site: Site) -> None:
    routes = _routes(site)
    assert len(routes) > 40
    for route in routes:
        assert getattr(route, "access", None) in ("session", "token", "public"), route.path
    public = {(r.path, tuple(sorted(r.methods or ()))) for r in routes if r.access == "public"}  # type: ignore[attr-defined]
    assert {path for path, _ in public} == {"/inloggen", "/api/openapi.json"}


async def test_no_route_answers_without_a_session_or_token(site: Site) -> None:
    async with site.client() as client:
        for route in _routes(site):
            if route.access == "public":  # type: ignore[attr-defined]
                continue
            path = _concrete(route.path)
            for method in sorted((route.methods or set()) - {"HEAD"}):
                response = await client.request(method, path, data={"csrf_token": "x"})
                if route.access == "token":  # type: ignore[attr-defined]
                    assert response.status_code == 401, (method, path)
                    assert response.headers["www-authenticate"].startswith("Bearer")
                else:
                    assert response.status_code == 303, (method, path, response.status_code)
                    assert response.headers["location"].startswith("/inloggen")
        # A forged or stale cookie is no session either.
        client.cookies.set("wegwijs_session", "made-up.signature")
        assert (await client.get("/meldingen")).status_code == 303


async def test_no_form_is_accepted_without_its_csrf_token(site: Site) -> None:
    clients = {
        "staff": await site.login("anna@stadkamer.test"),
        "trainer": await site.login("tess@stadkamer.test"),
        "admin": await site.login("admin@wegwijs.test"),
    }
    posts = [r for r in _routes(site) if "POST" in (r.methods or ()) and r.access == "session"]  # type: ignore[attr-defined]
    assert len(posts) > 20
    for route in posts:
        client = clients[route.roles[0]]  # type: ignore[attr-defined]
        path = _concrete(route.path)
        missing = await client.post(path, data={"text": "hallo"})
        wrong = await client.post(path, data={"csrf_token": "0" * 64, "text": "hallo"})
        assert missing.status_code == 403, (path, missing.status_code)
        assert wrong.status_code == 403, (path, wrong.status_code)
    # The login form too, and a form posted from another site.
    async with site.client() as stranger:
        await stranger.get("/inloggen")
        refused = await stranger.post(
            "/inloggen", data={"email": "anna@stadkamer.test", "password": PASSWORD}
        )
        assert refused.status_code == 403
    staff = clients["staff"]
    page = await staff.get("/meldingen")
    cross = await staff.post(
        "/uitloggen",
        data={"csrf_token": csrf_of(page.text)},
        headers={"Origin": "https://evil.test"},
    )
    assert cross.status_code == 403
    for client in clients.values():
        await client.aclose()


async def test_login_logout_and_rate_limit(site: Site) -> None:
    async with site.client() as client:
        form = await client.get("/inloggen")
        assert form.status_code == 200 and 'name="password"' in form.text
        cookie = form.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        wrong = await client.post(
            "/inloggen",
            data={
                "email": "anna@stadkamer.test",
                "password": "nope",
                "csrf_token": csrf_of(form.text),
            },
        )
        assert wrong.status_code == 401 and "passen niet bij elkaar" in wrong.text
        right = await client.post(
            "/inloggen",
            data={
                "email": "ANNA@stadkamer.test",
                "password": PASSWORD,
                "csrf_token": csrf_of(form.text),
            },
        )
        assert right.status_code == 303 and right.headers["location"] == "/meldingen"
        session = right.headers["set-cookie"].lower()
        assert "wegwijs_session=" in session and "httponly" in session and "samesite=lax" in session
        inbox = await client.get("/meldingen")
        assert inbox.status_code == 200 and "Meldingen" in inbox.text
        logout = await post_form(client, "/meldingen", "/uitloggen")
        assert logout.status_code == 303 and logout.headers["location"].startswith("/inloggen")
        assert (await client.get("/meldingen")).status_code == 303, "the session is gone"

    # Five wrong passwords for one address: then even the right one waits a quarter of an hour.
    async with site.client() as attacker:
        token = csrf_of((await attacker.get("/inloggen")).text)
        for _ in range(5):
            await attacker.post(
                "/inloggen",
                data={"email": "bram@deventer.test", "password": "guess", "csrf_token": token},
            )
        blocked = await attacker.post(
            "/inloggen",
            data={"email": "bram@deventer.test", "password": PASSWORD, "csrf_token": token},
        )
        assert blocked.status_code == 429
    from datetime import timedelta

    site.clock.advance(timedelta(minutes=16))
    await (await site.login("bram@deventer.test")).aclose()


async def test_security_headers(site: Site) -> None:
    async with site.client() as client:
        response = await client.get("/inloggen")
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'none'" in CSP and "frame-ancestors 'none'" in CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "<script" not in response.text and "style=" not in response.text
    transport = httpx.ASGITransport(app=site.dashboard.asgi)
    async with httpx.AsyncClient(transport=transport, base_url="https://dashboard.test") as https:
        secure = await https.get("/inloggen")
    assert secure.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in secure.headers["set-cookie"].lower()


@pytest.mark.parametrize("role_email", ["tess@stadkamer.test", "admin@wegwijs.test"])
async def test_roles_only_reach_their_own_pages(site: Site, role_email: str) -> None:
    client = await site.login(role_email)
    assert (await client.get("/meldingen")).status_code == 403
    assert (await client.get(f"/agenda?vestiging={BRANCH_A}")).status_code == 403
    staff = await site.login("anna@stadkamer.test")
    assert (await staff.get("/klassen")).status_code == 403
    assert (await staff.get("/beheer/gebruikers")).status_code == 403
    await client.aclose()
    await staff.aclose()


async def test_staff_of_library_a_cannot_open_library_b_data(site: Site) -> None:
    await stuck_participant(site.app, "p-deventer", "nl", library_id="bibliotheek-deventer")
    bram = await site.login("bram@deventer.test")
    [handover_id] = re.findall(r'href="/meldingen/(\d+)"', (await bram.get("/meldingen")).text)
    anna = await site.login("anna@stadkamer.test")
    assert "/meldingen/" + handover_id not in (await anna.get("/meldingen")).text
    for path in (
        f"/meldingen/{handover_id}",
        f"/agenda?vestiging={BRANCH_B}",
        f"/agenda/{BRANCH_B}/2026-11-24.csv",
        f"/vestigingen/{BRANCH_B}",
        "/deelnemers/1/bericht",
    ):
        response = await anna.get(path)
        assert response.status_code == 404, path
        assert "hoort niet bij jouw bibliotheek" in response.text
    claim = await post_form(anna, "/meldingen", f"/meldingen/{handover_id}/oppakken")
    assert claim.status_code == 404
    assert "/meldingen/" + handover_id in (await bram.get("/meldingen")).text, "still new for B"
    denied = [e for e in await AuditLog(site.app.db).entries() if e.action == "denied"]
    assert {e.subject for e in denied} >= {f"handover:{handover_id}", f"branch:{BRANCH_B}"}
    assert all(e.actor == "anna@stadkamer.test" for e in denied)
    await anna.aclose()
    await bram.aclose()


async def test_every_look_at_participant_data_is_audited(site: Site) -> None:
    await stuck_participant(site.app, "p1", "ar")
    anna = await site.login("anna@stadkamer.test")
    inbox = await anna.get("/meldingen")
    [handover_id] = re.findall(r'href="/meldingen/(\d+)"', inbox.text)
    await anna.get(f"/meldingen/{handover_id}")
    await post_form(anna, f"/meldingen/{handover_id}", f"/meldingen/{handover_id}/oppakken")
    entries = await AuditLog(site.app.db).entries(library_id=LIBRARY_A)
    actions = [e.action for e in reversed(entries)]
    # post_form opens the page first, as a browser would: a second look.
    assert actions == ["inbox_viewed", "handover_viewed", "handover_viewed", "handover_claimed"]
    assert all(e.actor == "anna@stadkamer.test" and e.via == "web" for e in entries)
    assert {e.participant_id for e in entries} == {1}
    await anna.aclose()
