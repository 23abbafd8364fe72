"""Admins: accounts and tokens, libraries added in the dashboard, opening hours, the audit log."""

from __future__ import annotations

import re

from tests.web.support import BRANCH_A, LIBRARY_A, Site, csrf_of, post_form

NEW_LIBRARY = """id: bibliotheek-proef
name: Bibliotheek Proef
website: https://www.bibliotheekproef.nl
gemeenten: [Proefdorp]
branches:
  - id: proef-centrum
    name: Bibliotheek Proef Centrum
    address: {street: Dorpsstraat, number: "1", postcode: 1234 AB, city: Proefdorp}
    opening_hours: {tue: "09:00-17:00", thu: "09:00-17:00"}
    appointment_windows: {tue: "10:00-12:00"}
    appointment_minutes: 60
    source: [https://www.bibliotheekproef.nl]
    checked: 2026-11-20
    verified: false
    note: Proef.
"""


async def test_admin_adds_an_account_that_can_log_in_and_manages_tokens(site: Site) -> None:
    admin = await site.login("admin@wegwijs.test")
    page = await post_form(
        admin,
        "/beheer/gebruikers",
        "/beheer/gebruikers",
        email="Nina@Stadkamer.test",
        name="Nina",
        role="staff",
        library=LIBRARY_A,
    )
    assert page.status_code == 200
    [password] = re.findall(r"<p><code>([^<]+)</code></p>", page.text)
    nina = await site.login("nina@stadkamer.test", password)
    assert (await nina.get("/meldingen")).status_code == 200

    no_library = await post_form(
        admin, "/beheer/gebruikers", "/beheer/gebruikers", email="x@y.test", role="trainer"
    )
    assert no_library.status_code == 400 and "hoort bij een bibliotheek" in no_library.text

    users = await admin.get("/beheer/gebruikers")
    [user_id] = re.findall(r'href="/beheer/gebruikers/(\d+)">nina@stadkamer.test', users.text)
    token_page = await post_form(
        admin, f"/beheer/gebruikers/{user_id}", f"/beheer/gebruikers/{user_id}/tokens", name="ILS"
    )
    [token] = re.findall(r"<p><code>(wgw_[^<]+)</code></p>", token_page.text)
    async with site.client() as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/branches", headers=headers)).status_code == 200
        # Turning the account off ends the session and the token at once.
        off = await post_form(
            admin, f"/beheer/gebruikers/{user_id}", f"/beheer/gebruikers/{user_id}/aan-uit"
        )
        assert off.status_code == 303
        assert (await client.get("/api/v1/branches", headers=headers)).status_code == 401
    assert (await nina.get("/meldingen")).status_code == 303
    await admin.aclose()
    await nina.aclose()


async def test_a_librarys_admin_manages_only_that_library(site: Site) -> None:
    await site.add_user("beheer@deventer.test", "admin", "bibliotheek-deventer")
    admin = await site.login("beheer@deventer.test")
    users = await admin.get("/beheer/gebruikers")
    assert "bram@deventer.test" in users.text and "anna@stadkamer.test" not in users.text
    anna_id = site.users["anna@stadkamer.test"].id
    assert (await admin.get(f"/beheer/gebruikers/{anna_id}")).status_code == 404
    assert (await admin.get(f"/vestigingen/{BRANCH_A}")).status_code == 404
    refused = await post_form(admin, "/beheer", "/beheer/bibliotheken", yaml=NEW_LIBRARY)
    assert refused.status_code == 403
    await admin.aclose()


async def test_libraries_and_opening_hours(site: Site) -> None:
    admin = await site.login("admin@wegwijs.test")
    broken = await post_form(admin, "/beheer", "/beheer/bibliotheken", yaml="id: x\nname: y\n")
    assert broken.status_code == 400 and "website" in broken.text
    saved = await post_form(admin, "/beheer", "/beheer/bibliotheken", yaml=NEW_LIBRARY)
    assert saved.status_code == 303
    assert site.app.content.libraries.library("bibliotheek-proef").branches[0].id == "proef-centrum"
    slots = await site.dashboard.services.desk().free_slots("proef-centrum", 2)
    assert slots and all(slot.start.weekday() == 1 for slot in slots)
    clash = await post_form(
        admin,
        "/beheer",
        "/beheer/bibliotheken",
        yaml=NEW_LIBRARY.replace("proef-centrum", "stadkamer-centrum"),
    )
    assert clash.status_code == 400 and "al in gebruik" in clash.text

    # Opening hours: an admin changes them; appointment windows outside them are refused.
    page = await admin.get(f"/vestigingen/{BRANCH_A}")
    assert 'name="open_mon"' in page.text
    hours = {f"open_{day}": "10:00-17:30" for day in ("mon", "tue", "wed", "fri")}
    closed_thursday = await post_form(
        admin, f"/vestigingen/{BRANCH_A}", f"/vestigingen/{BRANCH_A}/openingstijden", **hours
    )
    assert closed_thursday.status_code == 400, "the Thursday appointment block would be outside"
    assert "appointment_windows.thu" in closed_thursday.text
    later = await post_form(
        admin,
        f"/vestigingen/{BRANCH_A}",
        f"/vestigingen/{BRANCH_A}/openingstijden",
        **hours,
        open_thu="09:00-21:00",
        open_sat="10:00-14:00",
    )
    assert later.status_code == 303
    branch = site.app.content.libraries.branch(BRANCH_A)
    assert str(branch.opening_hours.on(3)[0]) == "09:00-21:00"
    assert str(branch.opening_hours.on(5)[0]) == "10:00-14:00"

    removed = await post_form(admin, "/beheer", "/beheer/bibliotheken/bibliotheek-proef/weg")
    assert removed.status_code == 303
    assert "bibliotheek-proef" not in {lib.id for lib in site.app.content.libraries.libraries}

    audit = await admin.get("/beheer/audit")
    assert audit.status_code == 200 and "library_saved" in audit.text
    assert csrf_of(audit.text)
    await admin.aclose()
