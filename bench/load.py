"""Load: many dashboard sessions refresh the Sync Status report and drill down while an import runs.

    python -m bench.load                       # 20 sessions, 6 rounds each, PostgreSQL
    python -m bench.load --sessions 3 --rounds 2 --import-invoices 40   # the small version (tests, `-m long`)
    LOAD_SHOTS=/tmp/load-shots python -m bench.load ...                 # screenshot each session that breaks

One headless Chromium, one browser context (= one Streamlit session) per simulated user, all driven at once
(Playwright's async API). The database (a throwaway PostgreSQL database on PG_BENCH_URL's server, built with
`db.upgrade`) holds a base ledger; while the sessions work, a second bundle with newer documents is imported
in a child process. Each round a session clicks Refresh and reads the report's own CSV download, checking:
each row's Total = Processed + Pending + Failed; the totals row is either the figures before the import or
after it (never a half-imported state, the import being one transaction); and a session's totals never go
down. Every other round it clicks the Zone cell of the first center row with failed invoices (as read from
that CSV) and waits for the Sale Orders page to show its table, then returns through the sidebar.
Reported: errors, p50/p95 of the refresh time (the click until the server reports that the run which draws
the page has finished, and the page is drawn) and of the drill-down time, the same for one session alone
(no import, at least ALONE_ROUNDS samples of each) as the baseline, the load average, and the peak memory
(VmHWM) of the Streamlit server.
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
import textwrap
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
GRID = "[data-testid='stDataFrame']"
ROW = 35  # st.dataframe: header row and body rows are 35 px high
VISIBLE_ROWS = 15  # body rows the 640 px grid shows without scrolling (17, less a margin)
# The clicked row's Zone cell is selected (glide's accessible mirror of the canvas names cells
# glide-cell-<column>-<row>), or the click already switched page.
DRILL_TOOK_JS = ("row => !location.pathname.endsWith('/sync_status') || !!document.querySelector("
                 "`[data-testid='stDataFrame'] [data-testid='glide-cell-0-${row}'][aria-selected='true']`)")
LINES = ("Invoices", "Misc. Journals")
TIMEOUT_MS = 180_000
DRILL_EVERY = 2  # under load, each session drills down every other round
ALONE_ROUNDS = 3  # the one-session baseline takes at least this many samples of each step
SHOTS = Path(os.environ["LOAD_SHOTS"]) if os.environ.get("LOAD_SHOTS") else None  # screenshot a session that breaks
CLICK_MS = 100  # a person's click: press, 100 ms, release
TWO_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
CLICK_TAKES_MS = 30_000  # selecting a cell is client-side (no server round trip), but the browser is busy too


@dataclass
class Stats:
    refresh_ms: list[float] = field(default_factory=list)
    drill_ms: list[float] = field(default_factory=list)
    reads: int = 0
    errors: list[str] = field(default_factory=list)
    invariant_breaks: int = 0
    seen_totals: list[tuple[int, int]] = field(default_factory=list)
    read_windows: list[tuple[float, float]] = field(default_factory=list)  # Refresh click .. its run drawn
    unregistered_clicks: int = 0
    load_average: list[float] = field(default_factory=list)


class Runs:
    """The script runs the server reports finished successfully to one page (script_finished on its websocket).

    A Refresh click runs the script twice (the click's run ends in st.rerun) and the page may show
    'notRunning' between the two, so the page's own run-state attribute cannot tell when a refresh is done;
    the server's FINISHED_SUCCESSFULLY is sent only at the end of the run that draws the page.
    """

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg = ForwardMsg
        self.finished = 0
        self._changed = asyncio.Event()
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if not isinstance(payload, bytes) or len(payload) > 256:  # script_finished is ~50 bytes; skip the deltas
            return
        try:
            msg = self._msg.FromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg we need
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished == self._msg.FINISHED_SUCCESSFULLY:
            self.finished += 1
            self._changed.set()

    async def wait_past(self, n: int, timeout_ms: int = TIMEOUT_MS) -> None:
        """Until more than `n` runs have finished successfully."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.finished <= n:
            self._changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no script run finished within {timeout_ms} ms")
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass


def totals_of(engine, f: ReportFilters) -> tuple[int, int]:
    with engine.connect() as conn:
        ids = tuple(conn.execute(sa.text("SELECT id FROM center ORDER BY id")).scalars())
    t = sync_status.build(engine, ids, f).totals
    return int(t["Total Invoices"]), int(t["Total Misc. Journals"])


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def count(row: dict, column: str) -> int:
    return int(float(row[column] or 0))


def check_csv(rows: list[dict]) -> tuple[tuple[int, int] | None, list[str]]:
    """The totals row of a Sync Status CSV, and every broken invariant found in it."""
    problems = []
    total = None
    for r in rows:
        for line in LINES:
            t, p, pe, fa = (count(r, f"{k} {line}") for k in ("Total", "Processed", "Pending", "Failed"))
            if t != p + pe + fa:
                problems.append(f"{r['Center Name']}: Total {line} {t} != {p} + {pe} + {fa}")
        if r["Zone"] == "Total":
            total = (count(r, "Total Invoices"), count(r, "Total Misc. Journals"))
    if total is None:
        problems.append("no totals row")
    return total, problems


def drill_row(rows: list[dict]) -> int | None:
    """The first visible center row whose Zone cell opens a non-empty Sale Orders list: one with failed invoices
    (opens them), else one with invoices and no failures (opens all of them). Not a row whose only failures are
    misc. journals: its Zone cell opens Sale Orders filtered to failed invoices, an empty list (see
    docs/RELIABILITY.md, Load)."""
    centers = [r for r in rows if r["Zone"] != "Total"][:VISIBLE_ROWS]
    failed = [i for i, r in enumerate(centers) if count(r, "Failed Invoices")]
    clean = [i for i, r in enumerate(centers) if count(r, "Total Invoices")
             and not count(r, "Failed Invoices") and not count(r, "Failed Misc. Journals")]
    return (failed or clean or [None])[0]


async def wait_idle(page) -> None:
    await page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)


async def after_run(page, runs: Runs, action) -> None:
    """Do `action` (a click) and wait for the script run it starts to finish and the page to settle."""
    n = runs.finished
    await action()
    await runs.wait_past(n)
    await wait_idle(page)


async def sign_in(page, runs: Runs) -> None:
    await runs.wait_past(0)
    await wait_idle(page)
    if await page.get_by_text("Sign in to syncstatus").count():
        await page.get_by_role("textbox", name="Username").fill("admin")
        await page.get_by_role("textbox", name="Password").fill("demo-admin")
        await after_run(page, runs, page.get_by_role("button", name="Sign in").click)


async def refresh(page, runs: Runs) -> float:
    """Click Refresh; ms until the run that re-reads the database has finished and the page is drawn."""
    t0 = time.perf_counter()
    await after_run(page, runs, page.get_by_role("button", name="Refresh").click)
    return (time.perf_counter() - t0) * 1000


async def drill_down(page, runs: Runs, stats: Stats, row: int) -> float:
    """Point at the Zone cell of body row `row` and click it (its center's invoices, the failed ones if it has
    any); ms from the click until the Sale Orders page shows its table.

    Like a person, the pointer rests on the cell for two frames before the press: the grid (glide) misses
    about one press in three that arrives with no hover before it. A click that still selects nothing is
    repeated and counted, and the time runs from the click that selected the cell."""
    grid = page.locator(GRID).first
    cell = {"x": 30, "y": ROW + ROW * row + ROW / 2}
    n = runs.finished
    for _ in range(3):
        await grid.hover(position=cell)
        await page.evaluate(TWO_FRAMES_JS)
        t1 = time.perf_counter()
        await grid.click(position=cell, delay=CLICK_MS)
        try:
            await page.wait_for_function(DRILL_TOOK_JS, arg=row, timeout=CLICK_TAKES_MS)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: the click did not select the cell
            stats.unregistered_clicks += 1
    else:
        raise TimeoutError(f"three clicks on the Zone cell of row {row} selected nothing")
    await runs.wait_past(n)
    await page.wait_for_function("() => location.pathname.endsWith('/sale_orders')", timeout=TIMEOUT_MS)
    await wait_idle(page)
    await page.get_by_role("heading", name="Sale Orders").wait_for(timeout=TIMEOUT_MS)
    if shown := await traceback_text(page):
        raise RuntimeError(f"traceback on Sale Orders at {page.url}: {shown}")
    if not await page.locator(GRID).count():  # the run has finished: no table now is no table at all
        raise RuntimeError(f"Sale Orders shows no table at {page.url}")
    return (time.perf_counter() - t1) * 1000


async def traceback_text(page) -> str | None:
    """The start of the first traceback the page shows, if any (a product bug: reported, not worked around)."""
    shown = page.locator("[data-testid='stException']")
    if not await shown.count():
        return None
    return " ".join((await shown.first.inner_text()).split())[:300]


async def one_session(browser, base_url: str, n: int, rounds: int, allowed: set, stats: Stats,
                      start_gate: asyncio.Event, ready: set, drill_every: int) -> None:
    """Sign in, then per round: Refresh, read the CSV, check it; every `drill_every` rounds drill down and back."""
    ctx = await browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page = await ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    runs = Runs(page)
    last = (0, 0)
    try:
        await page.goto(f"{base_url}/sync_status")
        await sign_in(page, runs)
        await page.locator(GRID).first.wait_for()
        ready.add(n)
        await start_gate.wait()
        for r in range(rounds):
            clicked = time.perf_counter()
            stats.refresh_ms.append(await refresh(page, runs))
            stats.read_windows.append((clicked, time.perf_counter()))
            if shown := await traceback_text(page):
                stats.errors.append(f"session {n} round {r}: traceback after Refresh: {shown}")
            async with page.expect_download() as dl:
                await page.get_by_role("button", name="CSV").first.click()
            path = await (await dl.value).path()
            rows = read_csv(Path(path).read_bytes())
            total, problems = check_csv(rows)
            stats.reads += 1
            broken = [f"session {n} round {r}: {p}" for p in problems]
            if total is not None:
                stats.seen_totals.append(total)
                if total not in allowed:
                    broken.append(f"session {n} round {r}: totals {total} are neither before nor after the import")
                if total < last:
                    broken.append(f"session {n} round {r}: totals went down {last} -> {total}")
                last = total
            stats.invariant_breaks += len(broken)
            stats.errors.extend(broken)
            if drill_every and r % drill_every == drill_every - 1:
                row = drill_row(rows)
                if row is None:
                    raise RuntimeError(f"round {r}: no visible row with invoices to drill into")
                stats.drill_ms.append(await drill_down(page, runs, stats, row))
                await after_run(page, runs, page.locator("[data-testid='stSidebar']")
                                .get_by_role("link", name="Sync Status").click)
                await page.locator(GRID).first.wait_for()
    except Exception as exc:  # a session that breaks is an error of the run, not a crash of the bench
        stats.errors.append(f"session {n}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        if SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SHOTS / f"session-{n}.png"))
    finally:
        ready.add(n)
        await ctx.close()


def run_import(url: str, bundle: Path, result: dict, log: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    with log.open("w") as out:
        rc = subprocess.call([sys.executable, "-m", "syncstatus", "import", "--quiet", str(bundle)], cwd=ROOT,
                             env=env, stdout=out, stderr=subprocess.STDOUT)
    t1 = time.perf_counter()
    result.update(exit_code=rc, seconds=round(t1 - t0, 1), output=log.read_text()[-400:], window=(t0, t1))


async def drive(base_url: str, sessions: int, rounds: int, allowed: set, import_fn, drill_every: int) -> Stats:
    from playwright.async_api import async_playwright

    stats = Stats()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        gate = asyncio.Event()
        ready: set[int] = set()
        tasks = [asyncio.create_task(one_session(browser, base_url, i, rounds, allowed, stats, gate, ready,
                                                 drill_every)) for i in range(sessions)]
        while len(ready) < sessions:  # every session signed in (or failed): start the rounds and the import together
            await asyncio.sleep(0.1)
        gate.set()
        if import_fn:
            threading.Thread(target=import_fn, daemon=True).start()
        sampler = asyncio.create_task(sample_load(stats.load_average))
        await asyncio.gather(*tasks)
        sampler.cancel()
        await browser.close()
    return stats


async def sample_load(into: list[float], every_s: float = 5.0) -> None:
    """The machine's 1-minute load average while the sessions work (others share these cores)."""
    while True:
        into.append(os.getloadavg()[0])
        await asyncio.sleep(every_s)


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
        # Baseline in the same run: one session alone, no import, drilling down every round.
        alone = asyncio.run(drive(server.url, 1, max(rounds, ALONE_ROUNDS), {before}, None,
                                  drill_every=1 if drill else 0))
        imp: dict = {}
        after_expected = _expected_after(work / "newer", f, before)

        def import_fn():
            run_import(url, work / "newer", imp, work / "import.log")

        t0 = time.perf_counter()
        stats = asyncio.run(drive(server.url, sessions, rounds, {before, after_expected}, import_fn,
                                  drill_every=DRILL_EVERY if drill else 0))
        wall = time.perf_counter() - t0
        deadline = time.monotonic() + 900
        while "exit_code" not in imp and time.monotonic() < deadline:
            time.sleep(0.5)
        after = totals_of(engine, f)
        engine.dispose()
        began, ended = imp.pop("window", (0.0, 0.0))
        figures = {
            "when": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
            "sessions": sessions, "rounds": rounds, "centers": centers, "wall_seconds": round(wall, 1),
            "load_average": [min(stats.load_average, default=0), max(stats.load_average, default=0)],
            "reads": stats.reads,
            # a read whose refresh ran at any time while the import did (its query may have met the open transaction)
            "reads_during_import": sum(1 for a, b in stats.read_windows if a <= ended and b >= began),
            "reads_of_before": stats.seen_totals.count(before), "reads_of_after": stats.seen_totals.count(after),
            "errors": len(stats.errors), "error_samples": stats.errors[:10],
            "invariant_breaks": stats.invariant_breaks, "unregistered_clicks": stats.unregistered_clicks,
            "totals_before": before, "totals_after": after, "totals_after_expected": after_expected,
            "distinct_totals_seen": sorted(set(stats.seen_totals)),
            "refresh_p50_ms": pct(stats.refresh_ms, 0.5), "refresh_p95_ms": pct(stats.refresh_ms, 0.95),
            "drill_p50_ms": pct(stats.drill_ms, 0.5), "drill_p95_ms": pct(stats.drill_ms, 0.95),
            "drills": len(stats.drill_ms),
            "alone_refreshes": len(alone.refresh_ms),
            "alone_refresh_p50_ms": pct(alone.refresh_ms, 0.5), "alone_refresh_p95_ms": pct(alone.refresh_ms, 0.95),
            "alone_drills": len(alone.drill_ms),
            "alone_drill_p50_ms": pct(alone.drill_ms, 0.5), "alone_drill_p95_ms": pct(alone.drill_ms, 0.95),
            "alone_errors": len(alone.errors), "alone_error_samples": alone.errors[:5],
            "alone_unregistered_clicks": alone.unregistered_clicks,
            "server_peak_rss_mb": server.peak_rss_mb(),
            "import": imp,
        }
        figures["p95_ratio_vs_alone"] = (round(figures["refresh_p95_ms"] / figures["alone_refresh_p95_ms"], 2)
                                         if figures["alone_refresh_p95_ms"] else None)
        figures["drill_p95_ratio_vs_alone"] = (round(figures["drill_p95_ms"] / figures["alone_drill_p95_ms"], 2)
                                               if stats.drill_ms and alone.drill_ms else None)
        figures["ok"] = (figures["errors"] == 0 and alone.errors == [] and imp.get("exit_code") == 0
                         and after == after_expected and stats.reads == sessions * rounds
                         and figures["drills"] == sessions * (rounds // DRILL_EVERY if drill else 0)
                         and figures["alone_refreshes"] >= ALONE_ROUNDS
                         and figures["alone_drills"] >= (ALONE_ROUNDS if drill else 0))
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
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{db.reader_role_name(name)}"'))  # its reader, derived
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
    imp = fig["import"]
    before, after = tuple(fig["totals_before"]), tuple(fig["totals_after"])
    seen = [tuple(t) for t in fig["distinct_totals_seen"]]
    half = [t for t in seen if t not in (before, after)]
    lo, hi = fig["load_average"]
    head = (
        f"Measured {fig['when']} with `python -m bench.load --sessions {fig['sessions']} --rounds {fig['rounds']}` on "
        f"{fig['machine']}, 1-minute load average {lo:.1f}–{hi:.1f} during the run (the harness's own "
        f"browser, server and import included): one headless Chromium, {fig['sessions']} browser contexts (= Streamlit sessions) on one "
        f"Streamlit server over PostgreSQL ({fig['centers']} centers, 30 days of base ledger), while "
        f"`python -m syncstatus import` loaded the newer bundle in {imp.get('seconds')} s "
        f"(exit {imp.get('exit_code')}; {imp.get('output', '').strip()}).")
    table = [
        "| Sessions | Reads (refresh overlapping the import) | Errors | Invariant breaks | Refresh p50 / p95 | "
        "One session alone p50 / p95 | p95 ratio | Drill-downs | Drill-down p50 / p95 | Alone p50 / p95 | "
        "Server peak RSS (VmHWM) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {fig['sessions']} × {fig['rounds']} rounds | {fig['reads']} ({_n(fig['reads_during_import'])}) | "
        f"{fig['errors']} | {fig['invariant_breaks']} | {_s(fig['refresh_p50_ms'])} / {_s(fig['refresh_p95_ms'])} | "
        f"{_s(fig['alone_refresh_p50_ms'])} / {_s(fig['alone_refresh_p95_ms'])} ({fig['alone_refreshes']} samples) | "
        f"{fig['p95_ratio_vs_alone']}× | {fig['drills']} | {_s(fig['drill_p50_ms'])} / {_s(fig['drill_p95_ms'])} | "
        f"{_s(fig['alone_drill_p50_ms'])} / {_s(fig['alone_drill_p95_ms'])} ({fig['alone_drills']} samples) | "
        f"{fig['server_peak_rss_mb']:.0f} MB |",
    ]
    notes = (
        f"Refresh: the Refresh click until the run that re-reads the database has finished (the server's "
        f"`script_finished`) and the page is drawn. Drill-down: the click on the Zone cell of the first center row "
        f"with failed invoices until the "
        f"Sale Orders page shows its table ({fig['unregistered_clicks']} clicks under load and "
        f"{fig['alone_unregistered_clicks']} alone selected nothing and were repeated; the time runs "
        f"from the click that selected the cell). Each read is the report's own CSV download: every row is checked "
        f"for Total = Processed + Pending + Failed; totals (invoices, misc. journals) before the import {before}, "
        f"after {after} (expected from the bundle {tuple(fig['totals_after_expected'])}); distinct totals any session "
        f"read: {seen} — " + ("only the before and after states, no half-imported read" if not half else
                              f"**{len(half)} half-imported state(s)**")
        + (f" ({fig['reads_of_before']} reads returned the state before the import, {fig['reads_of_after']} the "
           "state after it)." if "reads_of_before" in fig else "."))
    errors = [f"Errors: {'; '.join(fig['error_samples'])}"] if fig["errors"] else []
    body = "\n\n".join([_wrap(head), "\n".join(table), _wrap(notes), *map(_wrap, errors)])
    replace_section(f"load_{fig['sessions']}", body)


def _wrap(text: str) -> str:
    return textwrap.fill(text, 110, break_on_hyphens=False, break_long_words=False)


def _n(value: int | None) -> str:
    return "not measured" if value is None else str(value)


def _s(ms: float) -> str:
    return "—" if ms != ms else f"{ms / 1000:.2f} s"  # NaN: nothing measured


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
          f"{fig['refresh_p95_ms']:.0f} ms ({fig['p95_ratio_vs_alone']}x one session alone), {fig['drills']} drill-downs "
          f"p95 {fig['drill_p95_ms']:.0f} ms ({fig['drill_p95_ratio_vs_alone']}x alone), server peak RSS "
          f"{fig['server_peak_rss_mb']:.0f} MB; ok={fig['ok']}")
    return 0 if fig["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
