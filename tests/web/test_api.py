"""The JSON API: token authentication scoped like the web roles, audited reads, OpenAPI."""

from __future__ import annotations

import datetime as dt

from bot.store.audit import AuditLog
from bot.store.staff_accounts import StaffAccounts
from bot.web.users import issue_token
from tests.appointments.test_handover import stuck_and_booked
from tests.support.driver import ChatDriver
from tests.web.support import BRANCH_A, BRANCH_B, Site, stuck_participant


async def _token(site: Site, email: str) -> dict[str, str]:
    accounts = StaffAccounts(site.app.db)
    user = await accounts.by_email(email)
    assert user is not None
    new = await issue_token(accounts, user, "test", site.clock.now())
    return {"Authorization": f"Bearer {new.token}"}


async def test_openapi_describes_every_api_route(site: Site) -> None:
    async with site.client() as client:
        spec = (await client.get("/api/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    api_paths = {
        route.path
        for route in site.dashboard.asgi.routes
        if getattr(route, "access", None) == "token"
    }
    assert set(spec["paths"]) == api_paths
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


async def test_tokens_are_scoped_like_the_web_roles(site: Site) -> None:
    driver = ChatDriver(site.app, chat_id="nl")
    await stuck_and_booked(driver, "nl")
    await stuck_participant(site.app, "deventer", "nl", library_id="bibliotheek-deventer")
    anna = await _token(site, "anna@stadkamer.test")
    tess = await _token(site, "tess@stadkamer.test")
    async with site.client() as client:
        assert (await client.get("/api/v1/slots", params={"branch": BRANCH_A})).status_code == 401
        bad = {"Authorization": "Bearer wgw_not-a-real-token"}
        assert (await client.get("/api/v1/branches", headers=bad)).status_code == 401

        branches = (await client.get("/api/v1/branches", headers=anna)).json()["branches"]
        assert {b["library_id"] for b in branches} == {"stadkamer"}
        slots = await client.get(
            "/api/v1/slots", params={"branch": BRANCH_A, "count": 3}, headers=anna
        )
        assert slots.status_code == 200 and len(slots.json()["slots"]) == 3
        assert dt.datetime.fromisoformat(slots.json()["slots"][0]["start"]).utcoffset() is not None
        other = await client.get("/api/v1/slots", params={"branch": BRANCH_B}, headers=anna)
        assert other.status_code == 404

        escalations = (await client.get("/api/v1/escalations", headers=anna)).json()["escalations"]
        assert len(escalations) == 1 and escalations[0]["library_id"] == "stadkamer"
        start = dt.date(2026, 11, 23)
        appointments = await client.get(
            "/api/v1/appointments",
            params={"branch": BRANCH_A, "from": start.isoformat(), "to": "2026-12-05"},
            headers=anna,
        )
        assert appointments.status_code == 200
        [appointment] = appointments.json()["appointments"]
        assert appointment["participant_id"] == 1 and appointment["status"] == "booked"
        too_long = await client.get(
            "/api/v1/appointments",
            params={"branch": BRANCH_A, "from": "2026-11-01", "to": "2027-01-01"},
            headers=anna,
        )
        assert too_long.status_code == 400

        # A trainer's token reads slots, never participants' data.
        assert (await client.get("/api/v1/escalations", headers=tess)).status_code == 403
        assert (
            await client.get("/api/v1/appointments", params={"branch": BRANCH_A}, headers=tess)
        ).status_code == 403
        assert (
            await client.get("/api/v1/slots", params={"branch": BRANCH_A}, headers=tess)
        ).status_code == 200

    entries = await AuditLog(site.app.db).entries()
    api = [e for e in entries if e.via == "api"]
    assert {e.action for e in api} == {"api_escalations", "api_appointments"}
    assert all("token wgw_" in e.actor for e in api)

    # A revoked token, or one of a deactivated account, stops working at once.
    accounts = StaffAccounts(site.app.db)
    user = await accounts.by_email("anna@stadkamer.test")
    assert user is not None
    await accounts.set_active(user.id, False, site.clock.now())
    async with site.client() as client:
        assert (await client.get("/api/v1/branches", headers=anna)).status_code == 401
