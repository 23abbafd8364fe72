"""Insight: a task's funnel as a chart (SVG), a table and a CSV, by library and language."""

from __future__ import annotations

import csv
import io

from tests.web.support import LIBRARY_A, LIBRARY_B, Site, walk_task

TASK = "nepberichten-herkennen"


async def _walk(site: Site, chat: str, lang: str, library: str, steps: int, stuck: bool) -> None:
    await walk_task(site.app, chat, lang, library, TASK, steps, stuck)


async def test_the_funnel_counts_people_per_step_by_library_and_language(site: Site) -> None:
    await _walk(site, "a1", "ar", LIBRARY_A, 0, stuck=True)
    await _walk(site, "a2", "ar", LIBRARY_A, 2, stuck=True)
    await _walk(site, "a3", "nl", LIBRARY_A, 2, stuck=False)
    await _walk(site, "b1", "nl", LIBRARY_B, 1, stuck=False)

    anna = await site.login("anna@stadkamer.test")
    page = await anna.get(f"/inzicht?taak={TASK}")
    assert page.status_code == 200
    assert f'src="/inzicht/grafiek.svg?taak={TASK}&amp;bibliotheek={LIBRARY_A}"' in page.text
    chart = await anna.get(f"/inzicht/grafiek.svg?taak={TASK}")
    assert chart.headers["content-type"] == "image/svg+xml"
    assert chart.text.startswith("<svg") and "<rect" in chart.text and "<title" in chart.text

    sheet = await anna.get(f"/inzicht/funnel.csv?taak={TASK}")
    rows = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff")), delimiter=";"))
    by_step = {row[1]: row for row in rows[1:]}
    assert by_step["0"][4] == "3", "three started at Stadkamer (Deventer is not theirs)"
    assert (by_step["1"][4], by_step["1"][6]) == ("3", "1")
    assert (by_step["3"][4], by_step["3"][6]) == ("2", "1")
    assert all(row[7] == LIBRARY_A for row in rows[1:])
    # Staff cannot look at another library by changing the address.
    other = await anna.get(f"/inzicht/funnel.csv?taak={TASK}&bibliotheek={LIBRARY_B}")
    assert [row[7] for row in csv.reader(io.StringIO(other.text.lstrip("\ufeff")), delimiter=";")][
        1
    ] == LIBRARY_A

    admin = await site.login("admin@wegwijs.test")
    arabic = await admin.get(f"/inzicht/funnel.csv?taak={TASK}&taal=ar")
    rows = list(csv.reader(io.StringIO(arabic.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][4] == "2" and rows[1][8] == "ar"
    everyone = await admin.get(f"/inzicht/funnel.csv?taak={TASK}")
    assert list(csv.reader(io.StringIO(everyone.text.lstrip("\ufeff")), delimiter=";"))[1][4] == "4"
    deventer = await admin.get(f"/inzicht/funnel.csv?taak={TASK}&bibliotheek={LIBRARY_B}")
    assert list(csv.reader(io.StringIO(deventer.text.lstrip("\ufeff")), delimiter=";"))[1][4] == "1"
    await anna.aclose()
    await admin.aclose()
