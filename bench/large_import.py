"""A very large bundle imports in bounded memory, with progress, and its counts reconcile.

    python -m bench.large_import --size-gb 1          # ~11 million documents, PostgreSQL
    python -m bench.large_import --size-gb 0.05       # a minute-scale check
    python -m bench.large_import --size-gb 0.38 --baseline-ratio 4 --no-doc   # ~4 million against ~1 million
    python -m bench.large_import --size-gb 0.4 --baseline-ratio 4 --no-doc --raw-copy   # and the raw COPY floors

Writes a bundle whose documents.csv is about --size-gb (bench.scale), then runs the product's import
(`python -m syncstatus import`, progress bars on stderr) in a child process on a throwaway PostgreSQL
database and samples the child's memory (VmRSS/VmHWM from /proc). The baseline, measured in the same run,
is the same import of a bundle --baseline-ratio times smaller (default 10): the importer keeps nothing per
row (repeated keys are found in the staging table, not in a Python index), so the peak RSS stays about flat
while the input grows. Afterwards every count is checked: rows read = loaded + updated + unchanged +
rejected, rejected = 0, and the ledger holds exactly the rows the bundle has. With --raw-copy, the same
documents.csv is then COPYed raw, into a bare UNLOGGED text table (bench.run's raw_copy_rate) and into an empty
table LIKE sync_document INCLUDING ALL (same b-trees, logged, no foreign key): the floors the import compares with. Results go to
bench/results/large_import.json and the marked section of docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from bench import scale
from bench.run import pg_database, raw_copy_rate
from syncstatus import db

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "RELIABILITY.md"
BYTES_PER_DOCUMENT = 95          # measured on bench.scale output (failed rows carry their response)
CENTERS = 400
INVOICES_PER_DAY = 55
JOURNALS_PER_DAY = 4


def shape_for(size_gb: float) -> dict:
    """Centers x days x documents per day that make a documents.csv of about size_gb."""
    docs = size_gb * 1e9 / BYTES_PER_DOCUMENT
    per_center_day = INVOICES_PER_DAY + JOURNALS_PER_DAY
    centers = max(1, min(CENTERS, int(docs // (per_center_day * 30)) or 1))
    days = max(1, round(docs / (centers * per_center_day)))
    return dict(centers=centers, days=days, invoices_per_day=INVOICES_PER_DAY, journals_per_day=JOURNALS_PER_DAY)


def status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class MemorySampler(threading.Thread):
    """Polls the child's VmHWM/VmRSS every 0.2 s; the last VmHWM seen is the peak until it exits."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self.stop.is_set():
            hwm = status_kb(self.pid, "VmHWM")
            rss = status_kb(self.pid, "VmRSS")
            if hwm:
                self.peak_kb = max(self.peak_kb, hwm)
            if rss:
                self.samples.append((round(time.monotonic() - t0, 1), rss))
            self.stop.wait(0.2)


def import_in_child(url: str, bundle: Path, log: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "syncstatus", "import", str(bundle)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
        sampler = MemorySampler(proc.pid)
        sampler.start()
        rc = proc.wait()
        sampler.stop.set()
        sampler.join()
    seconds = time.perf_counter() - t0
    text = log.read_text(errors="replace")
    return {"exit_code": rc, "seconds": round(seconds, 1), "peak_rss_mb": round(sampler.peak_kb / 1024, 1),
            "rss_samples": len(sampler.samples), "progress_output": "documents.csv" in text and " rows" in text,
            "log_tail": text[-600:]}


def reconcile(url: str, expected_documents: int) -> dict:
    engine = db.create_db_engine(url)
    try:
        with engine.connect() as conn:
            run = conn.execute(sa.text(
                "SELECT id, status, rows_read, rows_loaded, rows_updated, rows_unchanged, rows_rejected, error "
                "FROM import_run ORDER BY id DESC LIMIT 1")).mappings().one()
            documents = conn.execute(sa.text("SELECT COUNT(*) FROM sync_document")).scalar_one()
            rollup = conn.execute(sa.text(
                "SELECT COALESCE(SUM(documents), 0) FROM sync_daily")).scalar_one()
    finally:
        engine.dispose()
    run = dict(run)
    parts = run["rows_loaded"] + run["rows_updated"] + run["rows_unchanged"] + run["rows_rejected"]
    return {
        "run_status": run["status"], "rows_read": run["rows_read"], "rows_loaded": run["rows_loaded"],
        "rows_rejected": run["rows_rejected"], "error": run["error"],
        "read_equals_parts": run["rows_read"] == parts,
        "documents_in_bundle": expected_documents, "documents_in_ledger": documents,
        "documents_in_rollup": int(rollup),
        "rows_lost": expected_documents - documents,
    }


LEDGER_COPY_COLUMNS = ("center_id", "kind", "document_no", "sync_date", "amount", "status", "pending_reason", "attempts",
                       "last_attempt_at", "external_ref", "raw_response")


def raw_copy_like_ledger(url: str, documents_csv: Path, work: Path) -> dict:
    """The floor of a logged, indexed load: COPY the same documents (center codes turned into the ids of the import's
    centers beforehand, untimed) into an empty table created LIKE sync_document INCLUDING ALL (its four b-trees and
    checks; no foreign key), in one transaction. Dropped afterwards."""
    engine = db.create_db_engine(url)
    try:
        with engine.connect() as conn:
            ids = {code: str(i) for code, i in conn.execute(sa.text("SELECT code, id FROM center"))}
        ledger_csv = work / "documents_ledger_columns.csv"
        with documents_csv.open(newline="", encoding="utf-8") as src, ledger_csv.open("w", newline="",
                                                                                     encoding="utf-8") as out:
            rows = csv.reader(src)
            next(rows)
            writer = csv.writer(out)
            for row in rows:
                row[0] = ids[row[0]]
                writer.writerow(row)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS bench_ledger_copy")
            conn.exec_driver_sql("CREATE TABLE bench_ledger_copy (LIKE sync_document INCLUDING ALL)")
        raw = engine.raw_connection()
        try:
            t0 = time.perf_counter()
            with raw.cursor() as cur, ledger_csv.open("rb") as fh:
                with cur.copy(f"COPY bench_ledger_copy ({', '.join(LEDGER_COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as cp:
                    while chunk := fh.read(1 << 20):
                        cp.write(chunk)
            raw.commit()
            seconds = time.perf_counter() - t0
            with raw.cursor() as cur:
                cur.execute("SELECT count(*) FROM bench_ledger_copy")
                n = cur.fetchone()[0]
                cur.execute("DROP TABLE bench_ledger_copy")
            raw.commit()
        finally:
            raw.close()
        ledger_csv.unlink()
    finally:
        engine.dispose()
    return {"rows": n, "seconds": round(seconds, 2), "rows_per_s": round(n / seconds)}


def raw_copy_rates(url: str, documents_csv: Path, work: Path) -> dict:
    """Both raw COPY floors of the same documents.csv: (a) bench.run's bare UNLOGGED text table, (b) a table LIKE the
    ledger, indexes included."""
    engine = db.create_db_engine(url)
    try:
        bare = raw_copy_rate(engine, documents_csv)
    finally:
        engine.dispose()
    return {"unlogged_text": bare, "like_ledger": raw_copy_like_ledger(url, documents_csv, work)}


def one_size(admin_url: str, size_gb: float, work: Path, name: str, db_prefix: str, raw_copy: bool = False) -> dict:
    shape = shape_for(size_gb)
    bundle = work / f"bundle_{name}"
    t0 = time.perf_counter()
    written = scale.write_bundle(bundle, **shape, end=date(2026, 11, 20), seed=11)
    write_s = time.perf_counter() - t0
    docs_bytes = (bundle / "documents.csv").stat().st_size
    total_bytes = sum(p.stat().st_size for p in bundle.iterdir())
    print(f"[{name}] bundle: {total_bytes / 1e9:.2f} GB ({docs_bytes / 1e9:.2f} GB documents.csv, "
          f"{written['documents']:,} documents) written in {write_s:.0f} s", flush=True)
    url = pg_database(admin_url, f"{db_prefix}_{name}", fresh=True)
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    engine.dispose()
    result = import_in_child(url, bundle, work / f"import_{name}.log")
    print(f"[{name}] import: exit {result['exit_code']} in {result['seconds']} s, peak RSS {result['peak_rss_mb']} MB",
          flush=True)
    counts = reconcile(url, written["documents"])
    raw = {}
    if raw_copy:
        rates = raw_copy_rates(url, bundle / "documents.csv", work)
        docs_per_s = written["documents"] / result["seconds"] if result["seconds"] else 0
        raw = {"raw_copy": rates, "import_vs_raw_copy": {k: round(docs_per_s / v["rows_per_s"], 3)
                                                         for k, v in rates.items()}}
        print(f"[{name}] raw COPY: {rates['unlogged_text']['rows_per_s']:,} rows/s into a bare unlogged text table, "
              f"{rates['like_ledger']['rows_per_s']:,} rows/s into a table LIKE sync_document (indexes included); "
              f"the import ran at {docs_per_s:,.0f} documents/s", flush=True)
    shutil.rmtree(bundle, ignore_errors=True)
    return {**raw, "size_gb_requested": size_gb, "shape": shape, "bundle_bytes": total_bytes, "documents_csv_bytes": docs_bytes,
            "write_seconds": round(write_s, 1), **result, **counts,
            "documents_per_second": round(written["documents"] / result["seconds"]) if result["seconds"] else None,
            "database_url": sa.engine.make_url(url).render_as_string(hide_password=True)}


def write_doc_section(figures: dict) -> None:
    big, small = figures["full"], figures["baseline"]
    lines = [
        f"Measured {figures['when']} on {figures['machine']}, PostgreSQL 15 with default settings on the same machine.",
        "",
        "| Bundle | documents.csv | Documents | Import time | Documents/s | Peak RSS of importer | Read = loaded+updated+unchanged+rejected | Rows lost |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in ((f"baseline (1/{figures['baseline_ratio']:g} size)", small), ("full", big)):
        lines.append(
            f"| {label} | {r['documents_csv_bytes'] / 1e9:.2f} GB | {r['documents_in_bundle']:,} | {r['seconds']:.0f} s | "
            f"{r['documents_per_second']:,} | {r['peak_rss_mb']:.0f} MB | "
            f"{'yes' if r['read_equals_parts'] else 'NO'} ({r['rows_read']:,} read, {r['rows_rejected']} rejected) | "
            f"{r['rows_lost']} |")
    lines += ["", f"Peak RSS ratio full / baseline: **{figures['rss_ratio']:.2f}** for "
              f"{figures['size_ratio']:.1f}x the input (1.0 = perfectly flat).", ""]
    replace_section("large_import", "\n".join(lines))


def replace_section(name: str, body: str) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if not DOC.exists():
        return
    text = DOC.read_text()
    if start not in text or end not in text:
        return
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{body}\n{end}{tail}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-gb", type=float, default=1.0, help="size of documents.csv (default 1)")
    ap.add_argument("--admin-url", default=os.environ.get("PG_BENCH_URL",
                                                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--work", help="folder for the bundle (default: a temporary folder, removed afterwards)")
    ap.add_argument("--keep-databases", action="store_true", help="keep the two throwaway databases")
    ap.add_argument("--no-doc", action="store_true", help="do not update docs/RELIABILITY.md")
    ap.add_argument("--baseline-ratio", type=float, default=10.0,
                    help="the baseline bundle is this many times smaller (default 10)")
    ap.add_argument("--db-prefix", default="syncstatus_large_import",
                    help="name prefix of the two throwaway databases (default syncstatus_large_import)")
    ap.add_argument("--raw-copy", action="store_true",
                    help="after the full import, also time a raw COPY of the same documents.csv into a bare unlogged "
                         "text table and into a table LIKE sync_document (indexes included)")
    args = ap.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="syncstatus_large_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        small = one_size(args.admin_url, args.size_gb / args.baseline_ratio, work, "baseline", args.db_prefix)
        big = one_size(args.admin_url, args.size_gb, work, "full", args.db_prefix, raw_copy=args.raw_copy)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
        if not args.keep_databases:
            admin = sa.create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for n in ("baseline", "full"):
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{args.db_prefix}_{n}" WITH (FORCE)'))
            admin.dispose()
    figures = {
        "when": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "baseline": small, "full": big, "baseline_ratio": args.baseline_ratio,
        "rss_ratio": big["peak_rss_mb"] / small["peak_rss_mb"] if small["peak_rss_mb"] else float("nan"),
        "size_ratio": big["documents_csv_bytes"] / small["documents_csv_bytes"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "large_import.json").write_text(json.dumps(figures, indent=2, default=str))
    if not args.no_doc:
        write_doc_section(figures)
    ok = all(r["exit_code"] == 0 and r["run_status"] == "succeeded" and r["read_equals_parts"] and r["rows_lost"] == 0
             for r in (small, big))
    print(json.dumps({k: {kk: v for kk, v in r.items() if kk != "log_tail"} if isinstance(r, dict) else r
                      for k, r in figures.items()}, indent=2, default=str))
    print(f"peak RSS {big['peak_rss_mb']:.0f} MB for {big['documents_csv_bytes'] / 1e9:.2f} GB "
          f"(ratio {figures['rss_ratio']:.2f} against the 1/{args.baseline_ratio:g} baseline, "
          f"{figures['size_ratio']:.1f}x the input); counts reconcile: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
