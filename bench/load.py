"""Load: many dashboard sessions refresh the Sync Status report and drill down while an import runs.

    python -m bench.load                       # 20 sessions, 6 rounds each, PostgreSQL
    python -m bench.load --sessions 3 --rounds 2 --import-invoices 40   # the small version (tests, `-m long`)

One headless Chromium, one browser context (= one Streamlit session) per simulated user, all driven at once
(Playwright's async API). The database (a throwaway PostgreSQL database on PG_BENCH_URL's server) holds a
base ledger; while the sessions work, a second bundle with newer documents is imported in a child process.
Every read takes the report's own CSV download and checks: each row's Total = Processed + Pending + Failed;
the totals row is either the figures before the import or after it (never a half-imported state, the
import being one transaction); and a session's totals never go down. Reported: errors, p50/p95 of the
page data time (Refresh click until the script run finished) with the same measure for one session alone
as the baseline, drill-down time, and the peak memory (VmHWM) of the Streamlit server.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench import scale
from bench.large_import import replace_section
from bench.run import pg_database
from syncstatus import db, ingest
from syncstatus.reports import sync_status
from syncstatus.reports.filters import ReportFilters, default_range
from tests.browser import Server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--no-first-run"]
IDLE_JS = ("() => { const a = document.querySelector(\"[data-testid='stApp']\");"
           " return a && a.getAttribute('data-test-script-state') === 'notRunning'; }")
ARM_JS = ("() => { const a = document.querySelector(\"[data-testid='stApp']\"); window.__ran = false;"
          " if (window.__obs) window.__obs.disconnect();"
          " window.__obs = new MutationObserver(() => {"
          "   if (a.getAttribute('data-test-script-state') === 'running') window.__ran = true; });"
          " window.__obs.observe(a, {attributes: true, attributeFilter: ['data-test-script-state']}); }")
RAN_JS = ("() => { const a = document.querySelector(\"[data-testid='stApp']\");"
          " return window.__ran && a.getAttribute('data-test-script-state') === 'notRunning'; }")
LINES = ("Invoices", "Misc. Journals")
TIMEOUT_MS = 180_000


@dataclass
class Stats:
    refresh_ms: list[float] = field(default_factory=list)
    drill_ms: list[float] = field(default_factory=list)
    reads: int = 0
    errors: list[str] = field(default_factory=list)
    seen_totals: list[tuple[int, int]] = field(default_factory=list)
    reads_during_import: int = 0


def totals_of(engine, f: ReportFilters) -> tuple[int, int]:
    with engine.connect() as conn:
        ids = tuple(conn.execute(sa.text("SELECT id FROM center ORDER BY id")).scalars())
    t = sync_status.build(engine, ids, f).totals
    return int(t["Total Invoices"]), int(t["Total Misc. Journals"])


def check_csv(data: bytes) -> tuple[tuple[int, int] | None, list[str]]:
    """The totals row of a Sync Status CSV, and every broken invariant found in it."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    problems = []
    total = None
    for r in rows:
        for line in LINES:
            t, p, pe, fa = (int(float(r[f"{k} {line}"] or 0)) for k in ("Total", "Processed", "Pending", "Failed"))
            if t != p + pe + fa:
                problems.append(f"{r['Center Name']}: Total {line} {t} != {p} + {pe} + {fa}")
        if r["Zone"] == "Total":
            total = (int(float(r["Total Invoices"])), int(float(r["Total Misc. Journals"])))
    if total is None:
        problems.append("no totals row")
    return total, problems


async def wait_idle(page) -> None:
    await page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)


async def sign_in(page) -> None:
    await wait_idle(page)
    if await page.get_by_text("Sign in to syncstatus").count():
        await page.get_by_role("textbox", name="Username").fill("admin")
        await page.get_by_role("textbox", name="Password").fill("demo-admin")
        await page.get_by_role("button", name="Sign in").click()
        await wait_idle(page)


async def one_session(browser, base_url: str, n: int, rounds: int, allowed: set, stats: Stats,
                      importing: threading.Event, start_gate: asyncio.Event, ready: set, drill: bool) -> None:
    ctx = await browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page = await ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    last = (0, 0)
    try:
        await page.goto(f"{base_url}/sync_status")
        await sign_in(page)
        await page.locator("[data-testid='stDataFrame']").first.wait_for()
        ready.add(n)
        await start_gate.wait()
        for r in range(rounds):
            await page.evaluate(ARM_JS)  # notice the run the click starts, however short
            t0 = time.perf_counter()
            await page.get_by_role("button", name="Refresh").click()
            await page.wait_for_function(RAN_JS, timeout=TIMEOUT_MS)
            stats.refresh_ms.append((time.perf_counter() - t0) * 1000)
            if await page.locator("[data-testid='stException']").count():
                stats.errors.append(f"session {n} round {r}: traceback on the page")
            during = importing.is_set()
            async with page.expect_download() as dl:
                await page.get_by_role("button", name="CSV").first.click()
            path = await (await dl.value).path()
            total, problems = check_csv(Path(path).read_bytes())
            stats.reads += 1
            stats.reads_during_import += int(during)
            stats.errors.extend(f"session {n} round {r}: {p}" for p in problems)
            if total is not None:
                stats.seen_totals.append(total)
                if total not in allowed:
                    stats.errors.append(f"session {n} round {r}: totals {total} are neither before nor after the import")
                if total < last:
                    stats.errors.append(f"session {n} round {r}: totals went down {last} -> {total}")
                last = total
            if drill and r % 2 == 1:
                grid = page.locator("[data-testid='stDataFrame']").first
                box = await grid.bounding_box()
                t1 = time.perf_counter()
                await page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # first row, Zone: opens its documents
                await page.wait_for_url("**/sale_orders**", timeout=TIMEOUT_MS)
                await wait_idle(page)
                stats.drill_ms.append((time.perf_counter() - t1) * 1000)
                if await page.locator("[data-testid='stException']").count():
                    stats.errors.append(f"session {n} round {r}: traceback after drill-down")
                await page.locator("[data-testid='stSidebar']").get_by_role("link", name="Sync Status").click()
                await wait_idle(page)
                await page.locator("[data-testid='stDataFrame']").first.wait_for()
    except Exception as exc:  # a session that breaks is an error of the run, not a crash of the bench
        stats.errors.append(f"session {n}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        ready.add(n)
        await ctx.close()


def run_import(url: str, bundle: Path, importing: threading.Event, result: dict, log: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    importing.set()
    t0 = time.perf_counter()
    with log.open("w") as out:
        rc = subprocess.call([sys.executable, "-m", "syncstatus", "import", "--quiet", str(bundle)], cwd=ROOT,
                             env=env, stdout=out, stderr=subprocess.STDOUT)
    importing.clear()
    result.update(exit_code=rc, seconds=round(time.perf_counter() - t0, 1), output=log.read_text()[-400:])


async def drive(base_url: str, sessions: int, rounds: int, allowed: set, import_fn, drill: bool) -> Stats:
    from playwright.async_api import async_playwright

    stats = Stats()
    importing = threading.Event()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        gate = asyncio.Event()
        ready: set[int] = set()
        tasks = [asyncio.create_task(one_session(browser, base_url, i, rounds, allowed, stats, importing, gate, ready,
                                                 drill)) for i in range(sessions)]
        while len(ready) < sessions:  # every session signed in (or failed): start the rounds and the import together
            await asyncio.sleep(0.1)
        gate.set()
        if import_fn:
            threading.Thread(target=import_fn, args=(importing,), daemon=True).start()
        await asyncio.gather(*tasks)
        await browser.close()
    return stats


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(q * (len(v) - 1))))], 1)


def run(sessions: int = 20, rounds: int = 6, admin_url: str | None = None, import_invoices: int = 200,
        centers: int = 60, work: Path | None = None, drill: bool = True, write_doc: bool = False) -> dict:
    admin_url = admin_url or os.environ.get("PG_BENCH_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    own_work = work is None
    work = Path(work or tempfile.mkdtemp(prefix="syncstatus_load_"))
    work.mkdir(parents=True, exist_ok=True)
    name = f"syncstatus_load_{os.getpid()}"
    url = pg_database(admin_url, name, fresh=True)
    server = None
    try:
        today = date.today()
        engine = db.create_db_engine(url)
        db.upgrade(engine)
        scale.write_bundle(work / "base", centers=centers, days=30, invoices_per_day=20, journals_per_day=2,
                           end=today - timedelta(days=4), seed=5)
        assert ingest.import_bundle(engine, work / "base", rejections_dir=work).status == "succeeded"
        scale.write_bundle(work / "newer", centers=centers, days=4, invoices_per_day=import_invoices,
                           journals_per_day=4, end=today, seed=6)
        from syncstatus.access import create_demo_users

        create_demo_users(engine)
        f = ReportFilters(*default_range(today))
        before = totals_of(engine, f)

        server = Server(url).start()
        # Baseline in the same run: one session alone, no import.
        alone = asyncio.run(drive(server.url, 1, rounds, {before}, None, drill=False))
        imp: dict = {}
        after_expected = _expected_after(work / "newer", f, before)

        def import_fn(importing):
            run_import(url, work / "newer", importing, imp, work / "import.log")

        t0 = time.perf_counter()
        stats = asyncio.run(drive(server.url, sessions, rounds, {before, after_expected}, import_fn, drill))
        wall = time.perf_counter() - t0
        deadline = time.monotonic() + 900
        while "exit_code" not in imp and time.monotonic() < deadline:
            time.sleep(0.5)
        after = totals_of(engine, f)
        engine.dispose()
        figures = {
            "when": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
            "sessions": sessions, "rounds": rounds, "wall_seconds": round(wall, 1),
            "reads": stats.reads, "reads_during_import": stats.reads_during_import,
            "errors": len(stats.errors), "error_samples": stats.errors[:10],
            "totals_before": before, "totals_after": after, "totals_after_expected": after_expected,
            "distinct_totals_seen": sorted(set(stats.seen_totals)),
            "refresh_p50_ms": pct(stats.refresh_ms, 0.5), "refresh_p95_ms": pct(stats.refresh_ms, 0.95),
            "drill_p50_ms": pct(stats.drill_ms, 0.5), "drill_p95_ms": pct(stats.drill_ms, 0.95),
            "drills": len(stats.drill_ms),
            "alone_refresh_p50_ms": pct(alone.refresh_ms, 0.5), "alone_refresh_p95_ms": pct(alone.refresh_ms, 0.95),
            "alone_errors": len(alone.errors), "alone_error_samples": alone.errors[:5],
            "server_peak_rss_mb": server.peak_rss_mb(),
            "import": imp,
        }
        figures["p95_ratio_vs_alone"] = (round(figures["refresh_p95_ms"] / figures["alone_refresh_p95_ms"], 2)
                                         if figures["alone_refresh_p95_ms"] else None)
        figures["ok"] = (figures["errors"] == 0 and alone.errors == [] and imp.get("exit_code") == 0
                         and after == after_expected and stats.reads == sessions * rounds)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"load-{sessions}.json").write_text(json.dumps(figures, indent=2, default=str))
        if write_doc:
            write_doc_section(figures)
        return figures
    finally:
        if server:
            server.stop()
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # our own generated name
        admin.dispose()
        if own_work:
            shutil.rmtree(work, ignore_errors=True)


def _expected_after(bundle: Path, f: ReportFilters, before: tuple[int, int]) -> tuple[int, int]:
    """Totals once the newer bundle is in: its invoices and journals inside the range are all new keys."""
    inv = mj = 0
    with (bundle / "documents.csv").open(newline="") as fh:
        for r in csv.DictReader(fh):
            if f.date_from.isoformat() <= r["sync_date"] <= f.date_to.isoformat():
                if r["kind"] in ("invoice", "summary_invoice"):
                    inv += 1
                elif r["kind"] == "misc_journal":
                    mj += 1
    return before[0] + inv, before[1] + mj


def write_doc_section(fig: dict) -> None:
    body = "\n".join([
        f"Measured {fig['when']} on {fig['machine']} (other engineers' test runs were sharing the machine).",
        "",
        "| Sessions | Reads (during import) | Drill-downs | Errors | Refresh p50 / p95 | Alone p50 / p95 (baseline) | "
        "p95 ratio | Drill p50 / p95 | Import | Server peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {fig['sessions']} × {fig['rounds']} rounds | {fig['reads']} ({fig['reads_during_import']}) | {fig['drills']} | "
        f"{fig['errors']} | {fig['refresh_p50_ms']:.0f} / {fig['refresh_p95_ms']:.0f} ms | "
        f"{fig['alone_refresh_p50_ms']:.0f} / {fig['alone_refresh_p95_ms']:.0f} ms | {fig['p95_ratio_vs_alone']} | "
        f"{fig['drill_p50_ms']:.0f} / {fig['drill_p95_ms']:.0f} ms | exit {fig['import'].get('exit_code')} in "
        f"{fig['import'].get('seconds')} s | {fig['server_peak_rss_mb']:.0f} MB |",
        "",
        f"Totals (invoices, misc. journals) before the import {tuple(fig['totals_before'])}, after "
        f"{tuple(fig['totals_after'])}; distinct totals any session read: {fig['distinct_totals_seen']} "
        "(only the before and after states: no half-imported read).",
    ])
    replace_section(f"load_{fig['sessions']}", body)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--centers", type=int, default=60)
    ap.add_argument("--import-invoices", type=int, default=200, help="invoices per center per day in the import")
    ap.add_argument("--admin-url", default=None)
    ap.add_argument("--no-drill", action="store_true")
    ap.add_argument("--no-doc", action="store_true", help="do not update docs/RELIABILITY.md")
    args = ap.parse_args(argv)
    fig = run(args.sessions, args.rounds, args.admin_url, args.import_invoices, args.centers,
              drill=not args.no_drill, write_doc=not args.no_doc)
    print(json.dumps(fig, indent=2, default=str))
    print(f"{fig['sessions']} sessions: {fig['reads']} reads, {fig['errors']} errors, refresh p95 "
          f"{fig['refresh_p95_ms']:.0f} ms ({fig['p95_ratio_vs_alone']}x one session alone), server peak RSS "
          f"{fig['server_peak_rss_mb']:.0f} MB; ok={fig['ok']}")
    return 0 if fig["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
