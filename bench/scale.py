"""A ledger at the scale of a large franchise, written in the import bundle format.

The demo generator writes the whole domain (orders, lines, payments…) and is sized for a demo; at
21 million documents the benchmark needs only what the measured paths read: zones, centers, their
sync configurations and jobs, and the sync-document ledger, plus reference data at the scale of a
franchise's: per center a chart of accounts and a list of items with a few deleted (or inactive) in the
platform, sale orders with their lines and payments for the first `orders_per_day` invoices of every day
(every invoice of a day-wise center's last month, for the drill-down), a payment document per payment, and
a misc. journal row (debit and credit account) per misc. journal document. Documents that reference an
account or item deleted by their sync date mostly fail with the platform's "inactive or deleted" answer
(the Trends page's deleted references). Status mixes otherwise follow the demo's: ~94% processed, ~3%
failed with real payload shapes, ~3% pending, most of it recent. Deterministic for a seed.
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


# The platform's answer when a document references a deleted or inactive account or item.
REF_FAILURES = {"qbo": FAILURES["qbo"][1], "xero": FAILURES["xero"][0], "intacct": FAILURES["netsuite"][0],
                "netsuite": FAILURES["netsuite"][0]}
# Every center's chart of accounts and items; the (kind, code) pairs in DELETABLE / INACTIVE are the ones a
# center may lose (rarely used ones, as in life: a card type dropped, a package retired, an expense merged).
ACCOUNTS = (
    ("1000", "Operating Bank Account", "bank"), ("1010", "Cash on Hand", "asset"),
    ("1200", "Visa Clearing", "asset"), ("1210", "MasterCard Clearing", "asset"), ("1220", "Amex Clearing", "asset"),
    ("1230", "Gift Card Clearing", "liability"), ("4000", "Service Revenue", "income"),
    ("4100", "Product Sales", "income"), ("4200", "Package Revenue", "income"),
    ("6100", "Petty Cash Expense", "expense"), ("6150", "Office Supplies", "expense"),
    ("6200", "Cash Over/Short", "expense"),
)  # fmt: skip
ITEMS = tuple([(f"SVC{i:02d}", f"Service {i:02d}", "service", "4000") for i in range(1, 11)]
              + [(f"PRD{i:02d}", f"Product {i:02d}", "product", "4100") for i in range(1, 6)]
              + [(f"PKG{i:02d}", f"Package {i:02d}", "package", "4200") for i in range(1, 3)])
DELETABLE_ACCOUNTS = ("1220", "4200", "6150")
INACTIVE_ACCOUNTS = ("1230", "6200")
# Payment types with their clearing accounts, weighted; misc. journal kinds with debit / credit accounts.
PAYMENT_TYPES = (("Visa", "1200"),) * 9 + (("MasterCard", "1210"),) * 5 + (("Cash", "1010"),) * 4 \
    + (("Amex", "1220"),) + (("Gift Card", "1230"),)
JOURNALS = (("cash_deposit", "1000", "1010"), ("cash_pay_in", "1010", "6200"), ("cash_payout", "6100", "1010"),
            ("petty_cash_expense", "6150", "1010"))
NEVER = date.max


def _lost_refs(rnd: random.Random, start: date, days: int) -> dict[tuple[str, str], date]:
    """A center's deleted or inactive references: (kind, code) -> the first sync date they block (the deletion
    date; an inactive account's is the first date)."""
    lost: dict[tuple[str, str], date] = {}
    if rnd.random() < 0.6:
        lost[("account", rnd.choice(DELETABLE_ACCOUNTS))] = start + timedelta(days=rnd.randrange(days))
    if rnd.random() < 0.25:
        lost[("account", rnd.choice(INACTIVE_ACCOUNTS))] = start   # inactive, not deleted: blocks throughout
    for p in (0.7, 0.25):
        if rnd.random() < p:
            lost.setdefault(("item", rnd.choice(ITEMS)[0]), start + timedelta(days=rnd.randrange(days)))
    return lost


def _writer(out: Path, entity: str):
    f = (out / f"{entity}.csv").open("w", newline="", encoding="utf-8")
    w = csv.writer(f)
    w.writerow(ENTITIES[entity].column_names)
    return f, w


def write_bundle(out: Path, centers: int = 1000, days: int = 365, invoices_per_day: int = 55,
                 journals_per_day: int = 4, zones: int = 20, end: date | None = None, seed: int = 1,
                 orders_per_day: int = 3) -> dict:
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

    # Accounts and items, a few of them deleted (or inactive) in the platform.
    lost = {c: _lost_refs(rnd, start, days) for c in range(1, centers + 1)}
    read_at = f"{end.isoformat()}T22:00:00"
    acc_f, acc_w = _writer(out, "accounts")
    item_f, item_w = _writer(out, "items")
    for c in range(1, centers + 1):
        code = f"C{c:04d}"
        for no, name, kind in ACCOUNTS:
            gone = lost[c].get(("account", no))
            inactive = gone is not None and no in INACTIVE_ACCOUNTS
            deleted = f"{gone.isoformat()}T09:00:00" if gone is not None and not inactive else ""
            acc_w.writerow([code, no, name, kind, "false" if inactive else "true", read_at, deleted])
        for no, name, kind, account in ITEMS:
            gone = lost[c].get(("item", no))
            item_w.writerow([code, no, name, kind, kind.capitalize(), f"{name}", account, "processed", "",
                             f"{gone.isoformat()}T09:00:00" if gone is not None else ""])
    acc_f.close()
    item_f.close()

    # Sale orders with lines and payments for the first orders_per_day invoices of a day (all of a day-wise
    # center's last month, for the drill-down), a payment document per payment, a misc. journal per journal
    # document. A document that references a reference lost by its sync date mostly fails.
    so_f, so_w = _writer(out, "sale_orders")
    line_f, line_w = _writer(out, "sale_order_lines")
    pay_f, pay_w = _writer(out, "payments")
    mj_f, mj_w = _writer(out, "misc_journals")
    doc_f, doc_w = _writer(out, "documents")
    summaries: list[str] = []
    n_docs = 0
    assert cols["documents"][:6] == ["center_code", "kind", "document_no", "sync_date", "amount", "status"]
    services, products, packages = ITEMS[:10], ITEMS[10:15], ITEMS[15:]
    for c in range(1, centers + 1):
        code = f"C{c:04d}"
        failures = FAILURES[plat[c]]
        ref_failure = REF_FAILURES[plat[c]]
        blocks = lost[c]
        for d in range(days):
            day = start + timedelta(days=d)
            iso = day.isoformat()
            recent = (end - day).days < 2
            gone = {ref for ref, since in blocks.items() if since <= day}   # references failing on this date
            rows: list[tuple[str, str, int, bool]] = []                      # kind, number, cents, blocked
            summary_blocked = False
            orders = invoices_per_day if c in day_wise and d >= days - 31 else min(orders_per_day, invoices_per_day)
            stamp = f"{code}-{day:%Y%m%d}"
            summary_no = f"S-{stamp}"
            total = 0
            for i in range(orders):
                inv = f"{stamp}-{i:03d}"
                cents = rnd.randint(2000, 30000)
                total += cents
                blocked = False
                r = rnd.random()
                first = services if r < 0.8 else products if r < 0.95 else packages
                lines = [first[int(r * 1000) % len(first)]]
                if r * 7 % 1 < 0.4:                                      # a second line 40% of the time
                    lines.append(products[int(r * 10000) % len(products)])
                pay_type, pay_account = PAYMENT_TYPES[int(r * 100000) % len(PAYMENT_TYPES)]
                pay_no = f"P-{inv}"
                so_w.writerow([code, inv, "Guest", iso, f"{cents / 100:.2f}",
                               summary_no if c in day_wise else ""])
                share = cents // len(lines)
                for n, (item_code, _, _, account) in enumerate(lines, 1):
                    amount = cents - share * (len(lines) - 1) if n == 1 else share
                    line_w.writerow([code, inv, n, item_code, account, "1", f"{amount / 100:.2f}"])
                    blocked = blocked or ("item", item_code) in gone or ("account", account) in gone
                pay_w.writerow([code, pay_no, inv, pay_type, pay_account, f"{cents / 100:.2f}", iso])
                pay_blocked = ("account", pay_account) in gone
                rows.append(("payment", pay_no, cents, pay_blocked))
                blocked = blocked or pay_blocked
                if c in day_wise:
                    summary_blocked = summary_blocked or blocked
                else:
                    rows.append(("invoice", inv, cents, blocked))
            # the other invoices of the day: no sale order rows, so nothing they reference is known
            amounts = [rnd.randint(2000, 30000) for _ in range(orders, invoices_per_day)]
            if c in day_wise:
                total += sum(amounts)
            else:
                rows += [("invoice", f"{stamp}-{i:03d}", cents, False)
                         for i, cents in enumerate(amounts, orders)]
            if c in day_wise:
                if d >= days - 31:
                    summaries.append(summary_no)
                rows.append(("summary_invoice", summary_no, total, summary_blocked))
            for j in range(journals_per_day):
                no = f"MJ-{stamp}-{j}"
                kind, debit, credit = JOURNALS[j % len(JOURNALS)]
                cents = rnd.randint(1000, 50000)
                mj_w.writerow([code, no, "R1", kind, iso, debit, credit, f"{cents / 100:.2f}"])
                rows.append(("misc_journal", no, cents, ("account", debit) in gone or ("account", credit) in gone))
            for kind, no, cents, blocked in rows:
                r = rnd.random()
                if blocked and r < 0.9:   # the platform refuses it until the mapping is fixed
                    if r < 0.7 or not recent and r < 0.8:
                        status, reason, resp = "failed", "", ref_failure
                    else:
                        status, reason, resp = "pending", "item_not_synced", ""
                elif r < 0.03:
                    status, reason, resp = "failed", "", failures[int(r * 1000) % len(failures)]
                elif r < 0.06 or (recent and r < 0.5):
                    status, reason, resp = "pending", "awaiting_schedule", ""
                else:
                    status, reason, resp = "processed", "", ""
                doc_w.writerow([code, kind, no, iso, f"{cents / 100:.2f}", status, reason, 1,
                                f"{iso}T23:00:00", "", resp])
                n_docs += 1
    for fh in (so_f, line_f, pay_f, mj_f, doc_f):
        fh.close()
    lost_refs = sum(len(v) for v in lost.values())
    return {"documents": n_docs, "summaries": summaries, "start": start, "end": end, "lost_references": lost_refs}
