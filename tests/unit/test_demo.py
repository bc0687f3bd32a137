"""The demo generator: deterministic, in the bundle format, and telling consistent stories."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from syncstatus import bundle, demo, schema
from syncstatus.messages import CATEGORIES, parse_response

END = date(2026, 1, 15)
ARGS = dict(centers=6, days=30, seed=7, end_date=END)


def _read(folder: Path, entity: str) -> list[dict[str, str]]:
    with open(folder / f"{entity}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return demo.generate_bundle(tmp_path_factory.mktemp("demo") / "bundle", **ARGS)


@pytest.fixture(scope="module")
def data(out) -> dict[str, list[dict[str, str]]]:
    return {name: _read(out, name) for name in bundle.ENTITY_ORDER}


@pytest.fixture(scope="module")
def platform_of(data) -> dict[str, str]:
    return {c["center_code"]: c["platform"] for c in data["centers"]}


@pytest.fixture(scope="module")
def failed(data, platform_of) -> list[tuple[dict[str, str], object]]:
    return [(d, parse_response(d["response"], platform_of[d["center_code"]]))
            for d in data["documents"] if d["status"] == "failed"]  # fmt: skip


# --- format -------------------------------------------------------------------------------------------
def test_same_arguments_give_identical_bytes(out, tmp_path):
    again = demo.generate_bundle(tmp_path / "again", **ARGS)
    for name in bundle.ENTITY_ORDER:
        assert (again / f"{name}.csv").read_bytes() == (out / f"{name}.csv").read_bytes(), name


def test_another_seed_gives_other_data(out, tmp_path):
    other = demo.generate_bundle(tmp_path / "other", **{**ARGS, "seed": 8})
    assert (other / "documents.csv").read_bytes() != (out / "documents.csv").read_bytes()
    assert (other / "sale_orders.csv").read_bytes() != (out / "sale_orders.csv").read_bytes()


def test_every_entity_file_has_the_bundle_header(out):
    for name in bundle.ENTITY_ORDER:
        with open(out / f"{name}.csv", newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header == bundle.ENTITIES[name].column_names, name


def _check_value(col: bundle.Col, value: str) -> None:
    if value == "":
        assert not col.required, f"{col.name} is required"
        return
    if col.allowed is not None:
        assert value in col.allowed, f"{col.name}={value!r}"
    if col.max_len is not None:
        assert len(value) <= col.max_len, col.name
    if col.type == "int":
        assert int(value) >= (col.min_value if col.min_value is not None else 0), col.name
    elif col.type == "decimal":
        d = Decimal(value)
        assert d == d.quantize(Decimal("0.001")), col.name
        if col.min_value is not None:
            assert d >= Decimal(str(col.min_value)), col.name
    elif col.type == "date":
        date.fromisoformat(value)
    elif col.type == "datetime":
        datetime.fromisoformat(value)
    elif col.type == "bool":
        assert value in ("true", "false"), col.name


def test_every_value_fits_its_column(data):
    for name, rows in data.items():
        entity = bundle.ENTITIES[name]
        assert rows, f"{name} is empty"
        keys = set()
        for row in rows:
            for col in entity.columns:
                _check_value(col, row[col.name])
            key = tuple(row[k] for k in entity.key)
            assert key not in keys, f"duplicate key in {name}: {key}"
            keys.add(key)


def test_references_resolve(data):
    zones = {z["zone_code"] for z in data["zones"]}
    centers = {c["center_code"] for c in data["centers"]}
    assert {c["zone_code"] for c in data["centers"]} <= zones
    for name in bundle.ENTITY_ORDER[2:]:
        assert {r["center_code"] for r in data[name]} <= centers, name
    orders = {(s["center_code"], s["invoice_no"]) for s in data["sale_orders"]}
    assert {(r["center_code"], r["invoice_no"]) for r in data["sale_order_lines"]} <= orders
    assert {(r["center_code"], r["invoice_no"]) for r in data["payments"]} <= orders
    items = {(i["center_code"], i["item_code"]) for i in data["items"]}
    assert {(r["center_code"], r["item_code"]) for r in data["sale_order_lines"]} <= items
    accounts = {(a["center_code"], a["account_code"]) for a in data["accounts"]}
    for r in data["sale_order_lines"] + data["payments"]:
        assert not r["account_code"] or (r["center_code"], r["account_code"]) in accounts
    for r in data["misc_journals"]:
        for col in ("debit_account_code", "credit_account_code"):
            assert not r[col] or (r["center_code"], r[col]) in accounts


# --- shape ---------------------------------------------------------------------------------------------
def test_shape_of_the_organization(data):
    assert len(data["zones"]) == 3
    assert [c["center_code"] for c in data["centers"]] == [f"C{i:03d}" for i in range(1, 7)]
    names = [c["center_name"] for c in data["centers"]]
    assert len(set(names)) == len(names)
    assert {"qbo", "xero"} <= {c["platform"] for c in data["centers"]}
    n_accounts = defaultdict(int)
    n_items = defaultdict(int)
    for a in data["accounts"]:
        n_accounts[a["center_code"]] += 1
    for i in data["items"]:
        n_items[i["center_code"]] += 1
    assert all(20 <= n <= 40 for n in n_accounts.values())
    assert all(25 <= n <= 45 for n in n_items.values())
    per_day = len(data["sale_orders"]) / (6 * 30)
    assert 8 <= per_day <= 20
    invoice_nos = [s["invoice_no"] for s in data["sale_orders"]]
    assert len(set(invoice_nos)) == len(invoice_nos)  # unique across centers too


def test_sizes_scale_with_centers_and_days(tmp_path):
    def orders(centers: int, days: int) -> int:
        out = demo.generate_bundle(tmp_path / f"{centers}-{days}", centers=centers, days=days, seed=1, end_date=END)
        return len(_read(out, "sale_orders"))

    base = orders(4, 14)
    assert 1.6 <= orders(4, 28) / base <= 2.6  # seasons and weekdays move it a little
    assert 1.4 <= orders(8, 14) / base <= 2.8


@pytest.mark.parametrize("centers,days", [(1, 1), (2, 3), (3, 7), (120, 2)])
def test_any_size_works(tmp_path, centers, days):
    out = demo.generate_bundle(tmp_path / "b", centers=centers, days=days, seed=3, end_date=END)
    zones = _read(out, "zones")
    assert 1 <= len(zones) <= max(3, centers // 40)
    assert len(_read(out, "centers")) == centers
    assert {s["sale_date"] for s in _read(out, "sale_orders")} == {
        (END - timedelta(days=i)).isoformat() for i in range(days)
    }


def test_lines_and_payments_sum_to_the_order_amount(data):
    lines, pays = defaultdict(Decimal), defaultdict(Decimal)
    for r in data["sale_order_lines"]:
        lines[(r["center_code"], r["invoice_no"])] += Decimal(r["amount"])
    for r in data["payments"]:
        pays[(r["center_code"], r["invoice_no"])] += Decimal(r["amount"])
    for s in data["sale_orders"]:
        key = (s["center_code"], s["invoice_no"])
        assert lines[key] == Decimal(s["amount"]) == pays[key], key
        assert Decimal(s["amount"]) > 0


def _config_on(data) -> dict[tuple[str, str], str]:
    """(center, date) -> sync type in force, from the effective-dated sync_configs."""
    configs = defaultdict(list)
    for r in data["sync_configs"]:
        configs[r["center_code"]].append((r["effective_from"], r["sync_type"]))
    out = {}
    for s in data["sale_orders"]:
        rows = sorted(configs[s["center_code"]])
        out[(s["center_code"], s["sale_date"])] = [t for f, t in rows if f <= s["sale_date"]][-1]
    return out


def test_summary_invoices_follow_the_configuration(data):
    config = _config_on(data)
    sums = defaultdict(Decimal)
    for s in data["sale_orders"]:
        day_wise = config[(s["center_code"], s["sale_date"])].startswith("day_wise")
        if day_wise:
            assert s["summary_invoice_no"] == f"S-{s['center_code']}-{s['sale_date'].replace('-', '')}"
            sums[(s["center_code"], s["summary_invoice_no"])] += Decimal(s["amount"])
        else:
            assert s["summary_invoice_no"] == ""
    docs = data["documents"]
    summaries = {(d["center_code"], d["document_no"]): d for d in docs if d["kind"] == "summary_invoice"}
    assert summaries and set(summaries) == set(sums)
    for key, doc in summaries.items():
        assert Decimal(doc["amount"]) == sums[key], key
    invoices = {(d["center_code"], d["document_no"]) for d in docs if d["kind"] == "invoice"}
    expected = {(s["center_code"], s["invoice_no"]) for s in data["sale_orders"] if not s["summary_invoice_no"]}
    assert invoices == expected
    payments = {(d["center_code"], d["document_no"]) for d in docs if d["kind"] == "payment"}
    assert payments == {(p["center_code"], p["payment_no"]) for p in data["payments"]}
    journals = {(d["center_code"], d["document_no"]) for d in docs if d["kind"] == "misc_journal"}
    assert journals == {(m["center_code"], m["journal_no"]) for m in data["misc_journals"]}


def test_a_center_switches_from_invoice_wise_to_day_wise(data):
    configs = defaultdict(list)
    for r in data["sync_configs"]:
        configs[r["center_code"]].append((r["effective_from"], r["sync_type"]))
    switched = [rows for rows in configs.values() if [t for _f, t in sorted(rows)] == ["invoice_wise", "day_wise"]]
    assert switched
    switch_date = date.fromisoformat(sorted(switched[0])[1][0])
    assert END - timedelta(days=20) <= switch_date <= END - timedelta(days=8)  # ~60 % through 30 days
    assert {r["sync_type"] for r in data["sync_configs"]} == set(schema.SYNC_TYPES)
    # the configuration reset archived a handful of that center's invoices
    archived = [d for d in data["documents"] if d["status"] == "archived"]
    assert 1 <= len(archived) <= 60
    assert all(d["kind"] == "invoice" and d["sync_date"] < switch_date.isoformat() for d in archived)


def test_jobs_and_their_runs(data):
    jobs = {(j["center_code"], j["job"]): j for j in data["sync_jobs"]}
    centers = [c["center_code"] for c in data["centers"]]
    for c in centers:
        assert jobs[(c, "post_sale")]["enabled"] == "true" and jobs[(c, "refund")]["enabled"] == "true"
        assert jobs[(c, "post_sale")]["schedule"].startswith("daily ")
    without = [c for c in centers if jobs[(c, "maintenance")]["enabled"] == "false"]
    assert 1 <= len(without) < len(centers) / 2
    runs = defaultdict(list)
    for r in data["job_runs"]:
        runs[(r["center_code"], r["job"])].append(r)
        assert r["finished_at"] >= r["started_at"]
    assert not any(runs.get((c, "maintenance")) for c in without)
    last = {k: max(v, key=lambda r: r["started_at"]) for k, v in runs.items()}
    assert any(k[1] == "maintenance" and r["status"] == "failed" for k, r in last.items())
    newest = max(r["started_at"] for r in data["job_runs"])
    overdue = [c for c in centers if c not in without
               and last[(c, "maintenance")]["started_at"] < (datetime.fromisoformat(newest) - timedelta(days=3)).isoformat()]  # fmt: skip
    assert overdue
    run_days = {r["started_at"][:10] for r in data["job_runs"]}
    assert 14 <= len(run_days) <= 16  # 14 days of runs plus the morning after the last sync date, in UTC


# --- statuses and causes --------------------------------------------------------------------------------
def test_status_mix(data):
    docs = data["documents"]
    n = len(docs)
    share = {s: sum(d["status"] == s for d in docs) / n for s in schema.DOCUMENT_STATUSES}
    # a short range packs every bad day into a month: more failures than the ~3 % of the default range
    assert 0.7 <= share["processed"] <= 0.97
    assert 0.02 <= share["failed"] <= 0.2
    assert 0.01 <= share["pending"] <= 0.15
    last_days = {(END - timedelta(days=i)).isoformat() for i in range(3)}
    awaiting = [d for d in docs if d["pending_reason"] == "awaiting_schedule"]
    assert awaiting and sum(d["sync_date"] in last_days for d in awaiting) / len(awaiting) > 0.8
    reasons = {d["pending_reason"] for d in docs if d["status"] == "pending"}
    assert reasons == set(schema.PENDING_REASONS)
    for d in docs:
        assert bool(d["pending_reason"]) == (d["status"] == "pending"), d
        if d["status"] == "processed":
            assert d["external_ref"] and d["last_attempt_at"] >= d["sync_date"]
            assert 1 <= int(d["attempts"]) <= 5
        if d["status"] == "failed":
            assert d["response"] and 1 <= int(d["attempts"]) <= 5 and d["last_attempt_at"] >= d["sync_date"]
        if d["last_attempt_at"]:
            assert d["last_attempt_at"] < (END + timedelta(days=1)).isoformat()


def test_every_category_appears_among_failures(failed):
    categories = {p.category for _d, p in failed}
    assert categories == set(CATEGORIES)


def test_responses_speak_the_platform_of_their_center(data, platform_of):
    for d in data["documents"]:
        if not d["response"]:
            continue
        detected = parse_response(d["response"]).platform
        assert detected in (platform_of[d["center_code"]], "connector", None), (d["center_code"], d["response"][:120])
        if d["status"] == "processed":
            assert parse_response(d["response"], platform_of[d["center_code"]]).success


def test_deleted_accounts_cause_the_reference_failures(data, failed):
    deleted = defaultdict(set)
    for a in data["accounts"]:
        if a["deleted_in_platform_at"]:
            assert a["active"] == "false"
            deleted[a["center_code"]].add(a["account_code"])
    deleted_items = defaultdict(set)
    for i in data["items"]:
        if i["deleted_in_platform_at"]:
            deleted_items[i["center_code"]].add(i["item_code"])
    assert deleted and deleted_items
    uses = defaultdict(set)  # (center, document no) -> account and item codes it uses
    summary_of = {}
    for s in data["sale_orders"]:
        summary_of[(s["center_code"], s["invoice_no"])] = s["summary_invoice_no"]
    for r in data["sale_order_lines"]:
        doc_no = summary_of[(r["center_code"], r["invoice_no"])] or r["invoice_no"]
        uses[(r["center_code"], doc_no)] |= {r["account_code"], r["item_code"]}
    for r in data["payments"]:
        uses[(r["center_code"], r["payment_no"])].add(r["account_code"])
    for r in data["misc_journals"]:
        uses[(r["center_code"], r["journal_no"])] |= {r["debit_account_code"], r["credit_account_code"]}
    refs = [(d, p) for d, p in failed if p.category == "reference_inactive_or_deleted"]
    assert refs
    naming_an_account = 0
    for d, _p in refs:
        c = d["center_code"]
        named = {code for code in deleted[c] | deleted_items[c] if code in d["response"]}
        assert named, d
        assert named & uses[(c, d["document_no"])], d  # the document really uses what was deleted
        naming_an_account += bool(named & deleted[c])
    assert naming_an_account


def test_mapping_failures_match_the_data(data, failed):
    blank_pay = {(p["center_code"], p["payment_no"]): p["payment_type"] for p in data["payments"] if not p["account_code"]}
    blank_mj = {(m["center_code"], m["journal_no"]) for m in data["misc_journals"]
                if not m["debit_account_code"] or not m["credit_account_code"]}  # fmt: skip
    mapping = [(d, p) for d, p in failed if p.category == "mapping_missing"]
    assert any(d["kind"] == "payment" for d, _p in mapping)
    assert any(d["response"] == "Please add credit or debit account." for d, _p in mapping)
    for d, p in mapping:
        key = (d["center_code"], d["document_no"])
        if d["kind"] == "payment":
            assert p.reference == blank_pay[key] and '"fields":"journalPaymentAccounts"' in d["response"]
        elif d["kind"] == "misc_journal":
            assert key in blank_mj
    for key in blank_pay:  # every unmapped payment failed or waits
        doc = next(x for x in data["documents"] if x["kind"] == "payment" and (x["center_code"], x["document_no"]) == key)
        assert doc["status"] in ("failed", "pending"), doc


def test_deleted_orders_wait_where_the_maintenance_job_is_missing(data):
    maintenance = {j["center_code"]: j["enabled"] == "true" for j in data["sync_jobs"] if j["job"] == "maintenance"}
    stock = {(s["center_code"], s["kind"], s["order_no"]): s for s in data["stock_orders"]}
    waiting = [d for d in data["documents"] if d["pending_reason"] == "deleted_order_awaiting_maintenance"]
    assert waiting
    for d in waiting:
        assert not maintenance[d["center_code"]]
        assert stock[(d["center_code"], d["kind"], d["document_no"])]["deleted_at"]
    for center, enabled in maintenance.items():
        if not enabled:
            assert any(d["center_code"] == center and d["kind"] == "purchase_order" for d in waiting)
    for d in data["documents"]:
        if d["kind"] in schema.STOCK_ORDER_KINDS:
            s = stock[(d["center_code"], d["kind"], d["document_no"])]
            if not s["deleted_at"] and d["sync_date"] < (END - timedelta(days=3)).isoformat():
                assert d["status"] in ("processed", "failed") or d["pending_reason"] in (
                    "integration_paused", "authorization_expired")
            if s["deleted_at"] and maintenance[d["center_code"]] and d["status"] == "processed":
                assert d["last_attempt_at"] > s["deleted_at"]


def test_bad_days_show_as_spikes(data, platform_of, failed):
    by_day = defaultdict(lambda: defaultdict(int))
    for d, p in failed:
        by_day[p.category][d["sync_date"]] += 1
    outage = by_day["platform_unavailable"]
    qbo_centers = sum(1 for p in platform_of.values() if p == "qbo")
    assert max(outage.values()) >= 10 * qbo_centers
    auth = by_day["authorization"]
    assert sum(1 for n in auth.values() if n >= 10) >= 3  # three days of an expired authorization
    assert max(by_day["rate_limit"].values()) >= 5


def test_generation_reports_progress(tmp_path, capsys):
    demo.generate_bundle(tmp_path / "p", centers=2, days=3, seed=1, end_date=END, progress=True)
    assert "generating" in capsys.readouterr().out


# --- the generator's clock (issue 18.7) ------------------------------------------------------------------
_STAMP = __import__("re").compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _stamps(folder: Path):
    """Every date-time value of every entity file, as naive UTC."""
    for entity in bundle.ENTITY_ORDER:
        for row in _read(folder, entity):
            for column, value in row.items():
                if value and _STAMP.match(value):
                    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
                    if at.tzinfo is not None:
                        at = at.astimezone(__import__("datetime").UTC).replace(tzinfo=None)
                    yield entity, column, at


@pytest.mark.parametrize("hour, minute", [(0, 24), (6, 0), (13, 30)])
def test_no_date_lies_after_the_moment_the_bundle_is_generated(tmp_path, hour, minute):
    """At 00:24 UTC the morning's job runs (08:15 UTC and so on) have not happened yet: they are not written."""
    now = datetime(END.year, END.month, END.day, hour, minute) + timedelta(days=1)
    out = demo.generate_bundle(tmp_path / "b", centers=6, days=30, seed=7, end_date=END, now=now)
    late = [(e, c, at) for e, c, at in _stamps(out) if at > now]
    assert not late, late[:5]
    runs = _read(out, "job_runs")
    assert runs and max(r["started_at"] for r in runs) <= now.isoformat()
    assert all(r["status"] == "running" for r in runs if not r["finished_at"])


def test_the_default_clock_is_now(tmp_path):
    before = datetime.now(__import__("datetime").UTC).replace(tzinfo=None)
    out = demo.generate_bundle(tmp_path / "b", centers=3, days=5, seed=2)
    late = [(e, c, at) for e, c, at in _stamps(out) if at > before + timedelta(seconds=5)]
    assert not late, late[:5]
