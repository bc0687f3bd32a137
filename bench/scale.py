"""A ledger at the scale of a large franchise, written in the import bundle format.

The demo generator writes the whole domain (orders, lines, payments…) and is sized for a demo; at
21 million documents the benchmark needs only what the measured paths read: zones, centers, their
sync configurations and jobs, accounts, a thin slice of sale orders (for the drill-down) and the
sync-document ledger. Status mixes follow the demo's: ~94% processed, ~3% failed with real payload
shapes, ~3% pending, most of it recent.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from syncstatus.bundle import ENTITIES

PLATFORMS = ("qbo", "qbo", "xero", "xero", "intacct", "netsuite")
FAILURES = {
    "qbo": [
        '{"Fault":{"Error":[{"Message":"Duplicate Document Number Error","Detail":"Duplicate Document Number Error : You must specify a different number. This number has already been used.","code":"6140","element":""}],"type":"ValidationFault"},"time":"2026-01-05T10:00:00.000-08:00"}',
        '{"Fault":{"Error":[{"Message":"Object Not Found","Detail":"Something you\'re trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.","code":"610","element":""}],"type":"ValidationFault"},"time":"2026-01-05T10:00:00.000-08:00"}',
        '{"response":{"code":"451","message":"Name \'MasterCard\' didn\'t match with mapped value.","fields":"journalPaymentAccounts","data":[]}}',
    ],
    "xero": [
        '{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"Account code \'4100\' has been archived, or has been deleted. Each line item must reference a valid account."}]}]}',
        '{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"This invoice number must be unique."}]}]}',
    ],
    "intacct": ['<response><control><status>success</status></control><operation><result><status>failure</status><errormessage><error><errorno>BL03000018</errorno><description>Could not create Document record!</description><description2>The period is closed.</description2><correction>Open the period.</correction></error></errormessage></result></operation></response>'],
    "netsuite": ["INVALID_KEY_OR_REF - Invalid Account Reference Key 4100"],
}


def _writer(out: Path, entity: str):
    f = (out / f"{entity}.csv").open("w", newline="", encoding="utf-8")
    w = csv.writer(f)
    w.writerow(ENTITIES[entity].column_names)
    return f, w


def write_bundle(out: Path, centers: int = 1000, days: int = 365, invoices_per_day: int = 55,
                 journals_per_day: int = 4, zones: int = 20, end: date | None = None, seed: int = 1) -> dict:
    """Write the bundle; returns counts and the summary invoice numbers usable for drill-down."""
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    end = end or date.today() - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    cols = {e: ENTITIES[e].column_names for e in ENTITIES}

    f, w = _writer(out, "zones")
    for z in range(1, zones + 1):
        w.writerow([f"Z{z:02d}", f"Zone {z:02d}"])
    f.close()

    plat = {}
    f, w = _writer(out, "centers")
    for c in range(1, centers + 1):
        plat[c] = PLATFORMS[c % len(PLATFORMS)]
        w.writerow([f"C{c:04d}", f"Center {c:04d}", f"Z{(c % zones) + 1:02d}", plat[c], "America/New_York", "true"])
    f.close()

    day_wise = {c for c in range(1, centers + 1) if c % 10 == 0}
    f, w = _writer(out, "sync_configs")
    for c in range(1, centers + 1):
        w.writerow([f"C{c:04d}", start.isoformat(), "day_wise" if c in day_wise else "invoice_wise"])
    f.close()

    f, w = _writer(out, "sync_jobs")
    for c in range(1, centers + 1):
        for job in ("post_sale", "refund", "maintenance"):
            w.writerow([f"C{c:04d}", job, "true", "daily 02:00"])
    f.close()

    # Sale orders only for day-wise centers' summaries (drill-down), lines and payments per order.
    so_f, so_w = _writer(out, "sale_orders")
    line_f, line_w = _writer(out, "sale_order_lines")
    pay_f, pay_w = _writer(out, "payments")
    doc_f, doc_w = _writer(out, "documents")
    summaries: list[str] = []
    n_docs = 0
    assert cols["documents"][:6] == ["center_code", "kind", "document_no", "sync_date", "amount", "status"]
    for c in range(1, centers + 1):
        code = f"C{c:04d}"
        failures = FAILURES[plat[c]]
        for d in range(days):
            day = start + timedelta(days=d)
            iso = day.isoformat()
            recent = (end - day).days < 2
            if c in day_wise:
                no = f"S-{code}-{day:%Y%m%d}"
                total = 0
                for i in range(invoices_per_day):
                    inv = f"{code}-{day:%Y%m%d}-{i:03d}"
                    amount = rnd.randint(2000, 30000)
                    total += amount
                    if d >= days - 31:  # a month of orders is enough for the drill-down
                        so_w.writerow([code, inv, "Guest", iso, f"{amount / 100:.2f}", no])
                        line_w.writerow([code, inv, 1, "SVC1", "4000", "1", f"{amount / 100:.2f}"])
                        pay_w.writerow([code, f"P-{inv}", inv, "Visa", "1200", f"{amount / 100:.2f}", iso])
                if d >= days - 31:
                    summaries.append(no)
                rows = [("summary_invoice", no, total)]
            else:
                rows = [("invoice", f"{code}-{day:%Y%m%d}-{i:03d}", rnd.randint(2000, 30000))
                        for i in range(invoices_per_day)]
            rows += [("misc_journal", f"MJ-{code}-{day:%Y%m%d}-{j}", rnd.randint(1000, 50000))
                     for j in range(journals_per_day)]
            for kind, no, cents in rows:
                r = rnd.random()
                if r < 0.03:
                    status, reason, resp = "failed", "", failures[int(r * 1000) % len(failures)]
                elif r < 0.06 or (recent and r < 0.5):
                    status, reason, resp = "pending", "awaiting_schedule", ""
                else:
                    status, reason, resp = "processed", "", ""
                doc_w.writerow([code, kind, no, iso, f"{cents / 100:.2f}", status, reason, 1,
                                f"{iso}T23:00:00", "", resp])
                n_docs += 1
    for fh in (so_f, line_f, pay_f, doc_f):
        fh.close()
    return {"documents": n_docs, "summaries": summaries, "start": start, "end": end}
