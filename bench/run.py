"""The benchmark: build a franchise-scale PostgreSQL database through the product's import path, then
measure each hot path against baselines measured in the same run. Writes bench/results/*.json and the
table in docs/PERFORMANCE.md; exits non-zero when a target is missed.

    python -m bench.run            # full scale: 1,000 centers, 365 days, ~21.5 million documents
    python -m bench.run --smoke    # minutes-scale check that every figure is produced
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench import scale
from bench.messages import parse_100k_figure
from syncstatus import db, ingest
from syncstatus.access import all_center_ids
from syncstatus.reports import sync_status
from syncstatus.reports.filters import ReportFilters

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PERF_DOC = ROOT / "docs" / "PERFORMANCE.md"
BASELINE_SQL = {
    # Hand-written baselines: what a BI tool would run without our rollups.
    "detail": sa.text(
        "SELECT center_id, kind, status, COUNT(*) FROM sync_document "
        "WHERE sync_date BETWEEN :d0 AND :d1 AND kind IN ('invoice', 'summary_invoice', 'misc_journal') "
        "GROUP BY center_id, kind, status"),
    "daily": sa.text(
        "SELECT center_id, report_line, status, SUM(documents) FROM sync_daily "
        "WHERE sync_date BETWEEN :d0 AND :d1 AND report_line IN ('invoices', 'misc_journals') "
        "GROUP BY center_id, report_line, status"),
}
COPY_TABLE = "bench_raw_copy"


def _raw_table(entity, header: list[str], md: sa.MetaData) -> tuple[sa.Table, list[sa.Index]]:
    """A bundle file's own columns, typed as its target table types them (a reference by code as text), and the
    target's unique keys and indexes rewritten onto those columns (an index over a column the file lacks, such
    as a surrogate id, is left out)."""
    from syncstatus import bundle, ingest, schema

    target = schema.metadata.tables[entity.table]
    by_name = {c.name: c for c in entity.columns}
    cols = []
    for name in header:
        col = by_name[name]
        db_col = ingest._db_column(entity, col)
        typed = (sa.String(64) if name in entity.refs or db_col is None or name.endswith("_code") and
                 not isinstance(db_col.type, sa.String) else db_col.type)
        cols.append(sa.Column(name, typed))
    table = sa.Table(f"bench_raw_{entity.name}", md, *cols)
    to_file = {ingest.TARGET_NAMES.get((entity.name, f), f): f for f in header}
    for f in header:
        if f in entity.refs:
            to_file.setdefault(f"{bundle.ENTITIES[entity.refs[f]].table}_id", f)
    keys = []
    groups = [(c.name, list(c.columns), True) for c in target.constraints if isinstance(c, sa.UniqueConstraint)]
    groups += [(ix.name, list(ix.columns), ix.unique) for ix in target.indexes]
    for name, columns, unique in groups:
        if name and all(c.name in to_file for c in columns):
            keys.append(sa.Index(f"bench_raw_{name}", *(table.c[to_file[c.name]] for c in columns), unique=unique))
    return table, keys


def raw_copy_bundle_rate(engine: sa.Engine, bundle_dir: Path) -> dict:
    """Baseline: a raw COPY of the same rows into PostgreSQL, as a DBA would load them without the product. One
    transaction COPYs every file of the bundle into a new, logged table with the file's columns typed as the
    target table types them, then builds the target's unique keys and indexes over those columns, the pg_restore
    order (load, then index). No validation, no code-to-id lookup, no response parsing, no upsert, no rollup."""
    from syncstatus import bundle

    md = sa.MetaData()
    work = []
    for name in bundle.ENTITY_ORDER:
        path = bundle_dir / f"{name}.csv"
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                header = fh.readline().strip().split(",")
            work.append((path, *_raw_table(bundle.ENTITIES[name], header, md)))
    with engine.begin() as conn:
        md.drop_all(conn, checkfirst=True)
    per_file: dict[str, dict] = {}
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for path, table, keys in work:
            started = time.perf_counter()
            conn.execute(sa.schema.CreateTable(table))   # the table alone: its indexes come after the rows
            with conn.connection.driver_connection.cursor() as cur, path.open("rb") as fh:
                # identifiers of the benchmark's own table, never data
                with cur.copy(f"COPY {table.name} ({', '.join(c.name for c in table.c)}) FROM STDIN "
                              "WITH (FORMAT csv, HEADER true)") as cp:
                    while chunk := fh.read(1 << 20):
                        cp.write(chunk)
            copied = time.perf_counter() - started
            for ix in keys:
                ix.create(conn)
            per_file[path.name] = {"copy_seconds": round(copied, 2),
                                   "index_seconds": round(time.perf_counter() - started - copied, 2),
                                   "indexes": len(keys)}
    seconds = time.perf_counter() - t0
    with engine.begin() as conn:
        for path, table, _ in work:
            per_file[path.name]["rows"] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        md.drop_all(conn)
    rows = sum(f["rows"] for f in per_file.values())
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds), "files": per_file}


def timed(fn: Callable[[], object], repeats: int, warmup: int = 1) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return {"median_ms": round(statistics.median(samples), 2), "p95_ms": round(p95, 2), "runs": repeats}


def pg_database(admin_url: str, name: str, fresh: bool) -> str:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if exists and fresh:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))  # our own fixed name
            exists = None
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def raw_copy_rate(engine: sa.Engine, documents_csv: Path) -> dict:
    """Reference: COPY the same documents file into a bare UNLOGGED table of text columns (no types, no WAL, no
    keys): what the server's CSV parser alone costs. Not a place rows could be kept: see raw_copy_bundle_rate."""
    cols = ["center_code", "kind", "document_no", "sync_date", "amount", "status", "pending_reason", "attempts",
            "last_attempt_at", "external_ref", "response"]
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        conn.exec_driver_sql(f"CREATE UNLOGGED TABLE {COPY_TABLE} (" + ", ".join(f"{c} text" for c in cols) + ")")
    raw = engine.raw_connection()
    try:
        t0 = time.perf_counter()
        with raw.cursor() as cur, documents_csv.open("rb") as fh:
            with cur.copy(f"COPY {COPY_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)") as cp:
                while chunk := fh.read(1 << 20):
                    cp.write(chunk)
        raw.commit()
        seconds = time.perf_counter() - t0
        with raw.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {COPY_TABLE}")
            rows = cur.fetchone()[0]
            cur.execute(f"DROP TABLE {COPY_TABLE}")
        raw.commit()
    finally:
        raw.close()
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}


def measure_reports(engine: sa.Engine, end: date, repeats: int, results: dict, prefix: str = "") -> None:
    ids = all_center_ids(engine)
    for days in (1, 31, 365):
        f = ReportFilters(end - timedelta(days=days - 1), end)
        results[f"{prefix}report_{days}d"] = timed(lambda f=f: sync_status.build(engine, ids, f), repeats)
    d0, d1 = end - timedelta(days=364), end
    for name, stmt in BASELINE_SQL.items():
        def run(stmt=stmt):
            with engine.connect() as conn:
                conn.execute(stmt, {"d0": d0, "d1": d1}).fetchall()
        results[f"{prefix}baseline_{name}_365d"] = timed(run, max(3, repeats // 4) if name == "detail" else repeats)


def measure_drilldown(engine: sa.Engine, summaries: list[str], repeats: int, results: dict) -> None:
    try:
        from syncstatus.reports import summary_details
    except ImportError:
        results["drilldown"] = {"skipped": "syncstatus.reports.summary_details not present"}
        return
    ids = all_center_ids(engine)
    rnd = random.Random(3)
    if not summaries:
        results["drilldown"] = {"skipped": "no summary invoices in the data set"}
        return
    results["drilldown"] = timed(lambda: summary_details.load(engine, ids, rnd.choice(summaries)), repeats)


def measure_trends(engine: sa.Engine, end: date, repeats: int, results: dict) -> None:
    try:
        from syncstatus.reports import trends
    except ImportError:
        results["trends_365d_week"] = {"skipped": "syncstatus.reports.trends not present"}
        return
    ids = all_center_ids(engine)
    f = ReportFilters(end - timedelta(days=364), end)
    results["trends_365d_week"] = timed(lambda: trends.build(engine, ids, f, grain="week"), repeats)


def streamlit_peak_memory(database_url: str, end: date) -> dict:
    """Serve the 365-day report to a headless browser and read the server's peak RSS (VmHWM)."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, Server, sign_in, wait_idle

    if not Path(CHROMIUM).exists():
        return {"skipped": f"no Chromium at {CHROMIUM}"}
    from playwright.sync_api import sync_playwright

    from syncstatus import access

    engine = db.create_db_engine(database_url)
    try:
        access.create_user(engine, "bench", "bench-password-1", "admin")
    except Exception:  # already there from an earlier run
        pass
    engine.dispose()
    srv = Server(database_url).start()
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = b.new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{srv.url}/sync_status?date_from={end - timedelta(days=364)}&date_to={end}")
            sign_in(page, "bench", "bench-password-1")
            wait_idle(page)
            page.get_by_role("heading", name="Integrations Sync Status").wait_for()
            b.close()
        return {"peak_rss_mb": srv.peak_rss_mb()}
    finally:
        srv.stop()


TARGETS = [
    # (figure, field, max or min, bound, text)
    ("report_365d", "median_ms", "max", 150, "report data function, 365 days, all centers < 150 ms median"),
    ("report_365d_vs_detail", "ratio", "min", 30, "... and >= 30x faster than the detail GROUP BY"),
    ("report_31d", "median_ms", "max", 50, "report data function, 31 days < 50 ms median"),
    ("report_1d", "median_ms", "max", 20, "report data function, 1 day < 20 ms median"),
    ("drilldown", "median_ms", "max", 20, "summary invoice drill-down < 20 ms median"),
    ("trends_365d_week", "median_ms", "max", 300, "trends data, 365 days, by week < 300 ms median"),
    ("import_vs_copy", "ratio", "min", 0.5, "import path >= half the raw COPY rate (rows/s, same bundle)"),
    ("import_docs_per_s", "value", "min", 50_000, "import into PostgreSQL >= 50,000 documents/s"),
    ("sqlite_report_365d", "median_ms", "max", 200, "SQLite, 1/10 scale, report 365 days < 200 ms median"),
    ("parse_100k", "median_ms", "max", 50, "response parser, 100,000-character body < 50 ms median"),
]


def check_targets(results: dict) -> list[dict]:
    rows = []
    for key, field, kind, bound, text in TARGETS:
        fig = results.get(key, {})
        value = fig.get(field)
        ok = None if value is None else (value <= bound if kind == "max" else value >= bound)
        rows.append({"figure": key, "target": text, "value": value, "ok": ok})
    return rows


def write_doc(results: dict, checks: list[dict]) -> None:
    if not PERF_DOC.exists():
        return
    text = PERF_DOC.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in text:
        return
    m = results["meta"]
    lines = [start, "",
             f"Run of {m['date']} on {m['machine']}; {m['scale']}; PostgreSQL {m['postgres']} (default settings).", "",
             "| figure | target | measured | baseline (same run) | ratio | met |", "|---|---|---|---|---|---|"]
    for c in checks:
        fig = results.get(c["figure"], {})
        measured = (f"{fig['median_ms']} ms median, {fig['p95_ms']} ms p95" if "median_ms" in fig
                    else f"{fig.get('value', fig.get('skipped', '-'))}")
        base = fig.get("baseline", "")
        ratio = fig.get("ratio", "")
        met = {True: "yes", False: "**no**", None: "not measured"}[c["ok"]]
        lines.append(f"| {c['figure']} | {c['target']} | {measured} | {base} | {ratio} | {met} |")
    if "memory" in results:
        lines.append(f"| streamlit_peak_rss | reported | {results['memory']} | | | |")
    lines += ["", end]
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    PERF_DOC.write_text(before + "\n".join(lines) + after)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny scale: checks every figure is produced")
    ap.add_argument("--centers", type=int)
    ap.add_argument("--days", type=int)
    ap.add_argument("--invoices", type=int, help="invoices per center per day")
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--pg-url", default=os.environ.get("PG_BENCH_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--database", help="name of the benchmark database (default syncstatus_bench[_smoke])")
    ap.add_argument("--reuse", action="store_true", help="reuse an already built benchmark database")
    ap.add_argument("--no-browser", action="store_true", help="skip the Streamlit memory measurement")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--no-doc", action="store_true", help="do not update docs/PERFORMANCE.md")
    a = ap.parse_args(argv)
    centers = a.centers or (12 if a.smoke else 1000)
    days = a.days or (40 if a.smoke else 365)
    invoices = a.invoices or (6 if a.smoke else 55)
    repeats = a.repeats or (5 if a.smoke else 25)
    dbname = a.database or ("syncstatus_bench_smoke" if a.smoke else "syncstatus_bench")
    end = date.today() - timedelta(days=1)

    results: dict = {}
    url = pg_database(a.pg_url, dbname, fresh=not a.reuse)
    engine = db.create_db_engine(url)
    with engine.connect() as conn:
        pg_version = conn.exec_driver_sql("SHOW server_version").scalar()
    with tempfile.TemporaryDirectory(prefix="syncstatus_bench_") as tmp:
        bundle = Path(tmp) / "bundle"
        t0 = time.perf_counter()
        info = scale.write_bundle(bundle, centers=centers, days=days, invoices_per_day=invoices, end=end)
        results["generate_seconds"] = {"value": round(time.perf_counter() - t0, 1)}
        print(f"bundle: {info['documents']:,} documents in {results['generate_seconds']['value']} s", flush=True)
        if not a.reuse or db.current_version(engine) == 0:
            db.upgrade(engine)
            t0 = time.perf_counter()
            summary = ingest.import_bundle(engine, bundle, progress=True)
            secs = time.perf_counter() - t0
            print(summary.describe(), flush=True)
            docs = summary.per_entity.get("documents", {}).get("read", info["documents"])
            results["import_docs_per_s"] = {"value": round(docs / secs), "seconds": round(secs, 1),
                                            "documents": docs, "rows_read": summary.read}
            copy = raw_copy_bundle_rate(engine, bundle)
            results["raw_copy"] = copy
            bare = raw_copy_rate(engine, bundle / "documents.csv")
            results["raw_copy_bare"] = bare
            rate = round(summary.read / secs)
            results["import_vs_copy"] = {
                "value": rate,
                "baseline": f"{copy['rows_per_s']:,} rows/s: raw COPY of the same {copy['rows']:,} rows into typed, "
                            f"logged tables, keys built after (documents.csv into a bare unlogged text table: "
                            f"{bare['rows_per_s']:,} rows/s)",
                "ratio": round(rate / copy["rows_per_s"], 3)}
            # What autovacuum does on its own shortly after a bulk load (statistics, visibility map), done before
            # measuring so that the figures are the steady state and not a race with a vacuum of 20 M rows.
            t0 = time.perf_counter()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")
            results["vacuum_seconds"] = {"value": round(time.perf_counter() - t0, 1)}
        measure_reports(engine, end, repeats, results)
        r, base = results["report_365d"], results["baseline_detail_365d"]
        results["report_365d_vs_detail"] = {"value": r["median_ms"], "baseline": f"{base['median_ms']} ms detail GROUP BY",
                                            "ratio": round(base["median_ms"] / max(r["median_ms"], 0.001), 1)}
        results["report_365d"]["baseline"] = (f"{base['median_ms']} ms detail, "
                                              f"{results['baseline_daily_365d']['median_ms']} ms daily rollup")
        measure_drilldown(engine, info["summaries"], repeats, results)
        measure_trends(engine, end, max(5, repeats // 2), results)

        # SQLite at one tenth of the scale.
        sq_bundle = Path(tmp) / "sqlite_bundle"
        scale.write_bundle(sq_bundle, centers=max(2, centers // 10), days=days, invoices_per_day=invoices, end=end)
        sq_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        sq = db.create_db_engine(sq_url)
        db.upgrade(sq)
        ingest.import_bundle(sq, sq_bundle)
        sq_results: dict = {}
        measure_reports(sq, end, repeats, sq_results)
        results["sqlite_report_365d"] = sq_results["report_365d"]
        results["sqlite_report_365d"]["baseline"] = f"{sq_results['baseline_detail_365d']['median_ms']} ms detail GROUP BY"
        sq.dispose()

    if not a.no_browser:
        results["memory"] = streamlit_peak_memory(url, end)
    engine.dispose()
    results["parse_100k"] = parse_100k_figure()
    results["meta"] = {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "scale": f"{centers:,} centers, {days} days, {invoices} invoices + 4 misc. journals per center-day "
                 f"({info['documents']:,} documents)",
        "postgres": pg_version,
        "smoke": a.smoke,
    }
    checks = check_targets(results)
    results["targets"] = checks
    a.out.mkdir(parents=True, exist_ok=True)
    out_file = a.out / f"bench-{'smoke' if a.smoke else 'full'}.json"
    out_file.write_text(json.dumps(results, indent=2, default=str))
    if not a.no_doc and not a.smoke:
        write_doc(results, checks)
    for c in checks:
        print(f"{'PASS' if c['ok'] else ('n/a ' if c['ok'] is None else 'MISS')}  {c['target']}: {c['value']}")
    print(f"results written to {out_file}")
    missed = [c for c in checks if c["ok"] is False]
    return 1 if missed and not a.smoke else 0


if __name__ == "__main__":
    sys.exit(main())
