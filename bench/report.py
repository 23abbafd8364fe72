"""The benchmark's table: every section's main figures and the issue's targets, met or not."""

from __future__ import annotations

from typing import Any

TARGETS = {
    "own_p50_sqlite_ms": 0.5,
    "own_p50_postgresql_ms": 1.5,
    "e2e_turns_per_second": 300.0,
    "peer_ratio": 10.0,
    "rss_mb": 150.0,
    "ready_seconds": 2.0,
    "scale_ratio": 1.2,
}


def verdict(ok: bool | None) -> str:
    if ok is None:
        return "-"
    return "met" if ok else "MISSED"


def _ms(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "-"


def table(results: dict[str, Any]) -> str:
    out: list[str] = []
    add = out.append
    m = results["machine"]
    load_after = results.get("machine_after", {}).get("load_average", [])
    add(
        f"Wegwijs benchmark ({'quick' if results['quick'] else 'full'}), {results['started']}, "
        f"{results.get('seconds', 0):.0f} s"
    )
    add(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Linux {m['kernel']}, "
        f"Python {m['python']}; load average {m['load_average']} before, {load_after} after"
    )
    if "turns" in results:
        _turns(add, results)
    if "e2e" in results:
        _e2e(add, results["e2e"])
    if "scale" in results:
        _scale(add, results["scale"])
    if "startup" in results:
        _startup(add, results["startup"])
    if "nlu" in results:
        _nlu(add, results["nlu"])
    if "peer" in results:
        _peer(add, results["peer"])
    return "\n".join(out)


def _turns(add: Any, results: dict[str, Any]) -> None:
    section = results["turns"]
    sizes = results["sizes"]
    add("")
    add(
        f"Turn cost in process, through the Telegram adapter with an offline bot "
        f"({sizes['participants']} participants; median run of {sizes['repeat']})"
    )
    add(
        f"  {'database':11}{'own p50':>9}{'p95':>7}{'p99':>7}  {'p50 spread':>13}"
        f"{'total p50':>11}{'p95':>7}{'p99':>7}{'turns/s':>9}{'RSS MB':>8}  target (own p50)"
    )
    for kind in ("sqlite", "postgresql"):
        figures = section.get(kind)
        if figures is None:
            continue
        if "skipped" in figures:
            add(f"  {kind:11}skipped: {figures['skipped']}")
            continue
        own, total = figures["own"], figures["total"]
        s = figures["spread"]["own_p50_ms"]
        target = TARGETS[f"own_p50_{kind}_ms"]
        add(
            f"  {kind:11}{own['p50_ms']:9.2f}{own['p95_ms']:7.2f}{own['p99_ms']:7.2f}  "
            f"{s['min']:6.2f}-{s['max']:<6.2f}{total['p50_ms']:11.2f}{total['p95_ms']:7.2f}"
            f"{total['p99_ms']:7.2f}{figures['turns_per_cpu_second']:9.0f}"
            f"{figures['peak_rss_mb']:8.0f}  <= {target} ms: "
            f"{verdict(own['p50_ms'] <= target)}"
        )
    for kind in ("sqlite", "postgresql"):
        figures = section.get(kind)
        if not figures or "skipped" in figures:
            continue
        add(
            f"  {kind} own work split (p50 ms): load {_ms(figures['own_load']['p50_ms'])}, "
            f"engine {_ms(figures['own_engine']['p50_ms'])}, save "
            f"{_ms(figures['own_save']['p50_ms'])}; Telegram parsing "
            f"{_ms(figures['telegram_parse']['p50_ms'])}; {figures['turns']} turns, "
            f"{figures['walks_finished']} walks finished, {figures['errors']} errors"
        )
    add("  own = Assistant.handle (engine, store, catalogues, NLU); total = Update.de_json +")
    add("  Application.process_update (PTB, the channel, replies through the offline Bot API);")
    add("  turns/s = turns per CPU second of the benchmark process (one core).")


def _e2e(add: Any, section: dict[str, Any]) -> None:
    add("")
    add("End to end: the bot process against the loopback Bot API server (SQLite)")
    add(
        f"  {'mode':9}{'turns':>7}{'turns/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'bot CPU/turn':>14}"
        f"{'bot busy':>10}{'bot RSS':>9}  target (>= 300 turns/s)"
    )
    for mode in ("polling", "webhook"):
        f = section.get(mode)
        if not f:
            continue
        add(
            f"  {mode:9}{f['turns']:7}{f['turns_per_second']:9.0f}{f['latency']['p50_ms']:8.1f}"
            f"{f['latency']['p95_ms']:8.1f}{f['bot_cpu_ms_per_turn']:11.1f} ms"
            f"{f['bot_busy']:10.0%}{f['bot_peak_rss_mb']:7.0f} MB  "
            f"{verdict(f['turns_per_second'] >= TARGETS['e2e_turns_per_second'])}"
            + (f" ({f['timeouts']} timeouts)" if f["timeouts"] else "")
        )


def _scale(add: Any, section: dict[str, Any]) -> None:
    add("")
    add("Scale: the same turns on an empty and on a filled database, alternately")
    for kind in ("sqlite", "postgresql"):
        f = section.get(kind)
        if not f:
            continue
        if "skipped" in f:
            add(f"  {kind:11}skipped: {f['skipped']}")
            continue
        ratio = f["own_p50_full_over_empty"]
        rows = f.get("rows", {})
        add(
            f"  {kind:11}{rows.get('participants', f['participants']):,} participants, "
            f"{rows.get('task_progress', f['progress_rows']):,} progress rows, "
            f"{rows.get('events', f['events']):,} events, {rows.get('reminders', 0):,} reminders "
            f"(filled in {f['seed_seconds']:.0f} s); {f['turns_each']} turns each"
        )
        add(
            f"  {'':11}own p50 {f['own_empty']['p50_ms']:.2f} ms empty, "
            f"{f['own_full']['p50_ms']:.2f} ms full = x{ratio:.2f} (p95 "
            f"{f['own_empty']['p95_ms']:.2f} / {f['own_full']['p95_ms']:.2f}; total p50 "
            f"x{f.get('total_p50_full_over_empty', 0):.2f}); <= x1.2: "
            f"{verdict(ratio <= TARGETS['scale_ratio'])}"
        )
        add(
            f"  {'':11}{f['statements_explained']} statements explained "
            f"({f.get('statements_per_turn', 0):.1f} per turn), "
            f"{len(f['full_scans'])} with a full scan: "
            f"{verdict(not f['full_scans'])}"
        )
        for scan in f["full_scans"]:
            tables = ", ".join(scan.get("tables", []))
            add(f"    full scan of {tables}: {' '.join(scan['statement'].split())[:90]}")
            add(f"      plan: {scan['plan'][:110]}")


def _startup(add: Any, section: dict[str, Any]) -> None:
    add("")
    fresh = section["ready_seconds_fresh_database"]
    existing = section["ready_seconds_existing_database"]
    rss = section["rss_mb_when_ready"]
    add(
        f"Start-up to ready ({section['languages']} languages, all content), "
        f"{section['runs']} runs each:"
    )
    add(
        f"  existing database {existing['median']:.2f} s ({existing['min']:.2f}-"
        f"{existing['max']:.2f}), new database (migrations) {fresh['median']:.2f} s "
        f"({fresh['min']:.2f}-{fresh['max']:.2f}); < 2 s: "
        f"{verdict(existing['median'] < TARGETS['ready_seconds'])}"
    )
    add(
        f"  resident memory when ready {rss['median']:.0f} MB ({rss['min']:.0f}-"
        f"{rss['max']:.0f}); <= 150 MB: {verdict(rss['max'] <= TARGETS['rss_mb'])}"
    )


def _nlu(add: Any, section: dict[str, Any]) -> None:
    add("")
    add("Language understanding on the held-out split (dialogues/nlu/test)")
    for name in ("builtin", "rasa"):
        f = section.get(name)
        if not f:
            continue
        if "skipped" in f:
            add(f"  {name:9}skipped: {f['skipped']}")
            continue
        memory = f" server RSS {f['server_rss_mb']:.0f} MB" if "server_rss_mb" in f else ""
        add(
            f"  {name:9}accuracy {f['accuracy']:.3f} ({f['examples']} examples), parse p50 "
            f"{f['latency']['p50_ms']:.3f} ms, p95 {f['latency']['p95_ms']:.3f} ms{memory}"
        )


def _peer(add: Any, section: dict[str, Any]) -> None:
    add("")
    if "skipped" in section:
        add(f"Side by side with a Rasa-only assistant: skipped ({section['skipped']})")
        return
    rasa, ours = section["rasa_only"], section["wegwijs"]
    add(
        f"Side by side with a Rasa-only assistant, the DigiD guide ({section['conversations']} "
        f"conversations; {rasa['turns']} turns Rasa only, {ours['turns']} Wegwijs)"
    )
    add(
        f"  {'':12}{'p50 ms':>8}{'p95 ms':>8}{'CPU ms/turn':>13}{'RSS MB':>8}{'peak MB':>9}"
        f"{'lost':>6}"
    )
    add(
        f"  {'Rasa only':12}{rasa['latency']['p50_ms']:8.2f}{rasa['latency']['p95_ms']:8.2f}"
        f"{rasa['cpu_ms_per_turn']:13.2f}{rasa['rss_mb']:8.0f}{rasa.get('peak_rss_mb', 0):9.0f}"
        f"{rasa['walks_lost']:6}"
    )
    lat = ours["latency_adapter"]
    add(
        f"  {'Wegwijs':12}{lat['p50_ms']:8.2f}{lat['p95_ms']:8.2f}"
        f"{ours['cpu_ms_per_turn']:13.2f}{ours['rss_mb']:8.0f}{ours.get('peak_rss_mb', 0):9.0f}"
        f"{ours['walks_lost']:6}"
    )
    ratio = min(section["ratio_p50_latency"] or 0, section["ratio_cpu_per_turn"] or 0)
    add(
        f"  ratio: x{section['ratio_p50_latency']} p50 latency (x"
        f"{section.get('ratio_p50_latency_without_http')} without the HTTP round trip), "
        f"x{section.get('ratio_p95_latency')} p95, x{section['ratio_cpu_per_turn']} CPU, "
        f"x{section['ratio_memory']} memory; >= x10 cheaper: "
        f"{verdict(ratio >= TARGETS['peer_ratio'])}"
    )
    if "http_floor" in rasa:
        add(
            f"  Rasa only through POST /webhooks/rest/webhook (its HTTP round trip alone, GET /: "
            f"p50 {rasa['http_floor']['p50_ms']:.2f} ms); Wegwijs through the Telegram adapter "
            f"in process, on SQLite, in its own process"
        )
