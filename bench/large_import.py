"""A very large bundle imports in bounded memory, with progress, and its counts reconcile.

    python -m bench.large_import --size-gb 1          # ~11 million documents, PostgreSQL
    python -m bench.large_import --size-gb 0.05       # a minute-scale check
    python -m bench.large_import --size-gb 0.38 --baseline-ratio 4 --no-doc   # ~4 million against ~1 million

Writes a bundle whose documents.csv is about --size-gb (bench.scale), then runs the product's import
(`python -m syncstatus import`, progress bars on stderr) in a child process on a throwaway PostgreSQL
database and samples the child's memory (VmRSS/VmHWM from /proc). The baseline, measured in the same run,
is the same import of a bundle --baseline-ratio times smaller (default 10): the importer keeps nothing per
row (repeated keys are found in the staging table, not in a Python index), so the peak RSS stays about flat
while the input grows. Afterwards every count is checked: rows read = loaded + updated + unchanged +
rejected, rejected = 0, and the ledger holds exactly the rows the bundle has. Results go to
bench/results/large_import.json and the marked section of docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
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
from bench.run import pg_database
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


def one_size(admin_url: str, size_gb: float, work: Path, name: str, db_prefix: str) -> dict:
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
    shutil.rmtree(bundle, ignore_errors=True)
    return {"size_gb_requested": size_gb, "shape": shape, "bundle_bytes": total_bytes, "documents_csv_bytes": docs_bytes,
            "write_seconds": round(write_s, 1), **result, **counts,
            "documents_per_second": round(written["documents"] / result["seconds"]) if result["seconds"] else None,
            "database_url": sa.engine.make_url(url).render_as_string(hide_password=True)}


def write_doc_section(figures: dict) -> None:
    big, small = figures["full"], figures["baseline"]
    lines = [
        f"Measured {figures['when']} on {figures['machine']} (other engineers' test runs were sharing the machine).",
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
    args = ap.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="syncstatus_large_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        small = one_size(args.admin_url, args.size_gb / args.baseline_ratio, work, "baseline", args.db_prefix)
        big = one_size(args.admin_url, args.size_gb, work, "full", args.db_prefix)
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
