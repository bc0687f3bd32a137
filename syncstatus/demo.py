"""Deterministic demo data: a sync-log bundle (see syncstatus.bundle) for N centers over D days.

The data tells the stories accountants meet in real life, and every failure has a cause in the data:
- accounts and items deleted (or archived) in the accounting platform make later documents that use them
  fail with the platform's "inactive or deleted" answer, naming the account or item;
- a payment type whose mapping was removed for a few days, a new item nobody mapped, misc journals without
  an account: the connector's "mapping missing" answers; invoices with an unmapped item wait (item not synced)
  unless the center syncs as journal entries, where they fail;
- bad days: a QuickBooks Online outage, a shorter Xero outage, a rate-limit burst, an expired authorization
  (three days of failures), a lapsed subscription; now: one center paused, one waiting for re-authorization;
- deleted purchase/transfer orders stay pending where the maintenance job is not enabled;
- one center switches from Invoice Wise to Day Wise at ~60 % of the range; its configuration reset
  archived the unresolved invoices before the switch.

Deterministic: the same arguments give byte-identical files (random.Random only, no clock, no set order).
`python -m syncstatus demo --out DIR` writes a bundle; `build_demo_database` backs `make run`.
"""

from __future__ import annotations

import csv
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape as _xml

from syncstatus import bundle, schema

__all__ = ["DEMO_DEFAULTS", "build_demo_database", "generate_bundle"]

DEMO_DEFAULTS = dict(centers=24, days=400, seed=42)

# ---------------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------------
_ZONE_NAMES = (
    "North", "Central", "South", "East", "West", "Northeast", "Southeast", "Midwest", "Northwest", "Southwest",
    "Mountain", "Pacific", "Atlantic", "Gulf", "Lakes", "Plains", "Coastal", "Valley", "Metro", "Capital",
)  # fmt: skip

_PLACES_US = (
    ("Downtown", "America/New_York"), ("Lakeside", "America/Chicago"), ("Riverside", "America/Los_Angeles"),
    ("Midtown", "America/New_York"), ("Uptown", "America/Chicago"), ("Santa Monica", "America/Los_Angeles"),
    ("Back Bay", "America/New_York"), ("Lincoln Park", "America/Chicago"), ("Pasadena", "America/Los_Angeles"),
    ("Georgetown", "America/New_York"), ("Cherry Creek", "America/Denver"), ("Pacific Heights", "America/Los_Angeles"),
    ("Buckhead", "America/New_York"), ("River Oaks", "America/Chicago"), ("Scottsdale", "America/Phoenix"),
    ("Park Slope", "America/New_York"), ("Wicker Park", "America/Chicago"), ("Capitol Hill", "America/Los_Angeles"),
    ("Coral Gables", "America/New_York"), ("South Congress", "America/Chicago"), ("Pearl District", "America/Los_Angeles"),
    ("Maple Grove", "America/Chicago"), ("Westfield", "America/New_York"), ("Hillcrest", "America/Los_Angeles"),
    ("Oak Park", "America/Chicago"), ("Meadowbrook", "America/New_York"), ("Bayview", "America/Los_Angeles"),
    ("Brookside", "America/Chicago"), ("Pinecrest", "America/New_York"), ("Old Town", "America/Denver"),
    ("Willow Creek", "America/Chicago"), ("Harbor View", "America/Los_Angeles"), ("Short North", "America/New_York"),
    ("Highland Park", "America/Chicago"), ("Cedar Hills", "America/Los_Angeles"), ("Yorkville", "America/Toronto"),
)  # fmt: skip
_PLACES_INTL = (
    ("Kensington", "Europe/London"), ("Bondi", "Australia/Sydney"), ("Chelsea", "Europe/London"),
    ("South Yarra", "Australia/Melbourne"), ("Islington", "Europe/London"), ("Surry Hills", "Australia/Sydney"),
    ("Richmond", "Europe/London"), ("Fitzroy", "Australia/Melbourne"), ("Clifton", "Europe/London"),
    ("Manly", "Australia/Sydney"), ("Didsbury", "Europe/London"), ("New Farm", "Australia/Brisbane"),
    ("Jesmond", "Europe/London"), ("Paddington", "Australia/Sydney"), ("Notting Hill", "Europe/London"),
)  # fmt: skip
# center kind -> business type (drives the item mix and payment types)
_KINDS = (
    ("Spa", "spa"), ("Salon", "salon"), ("Day Spa", "spa"), ("Hair Studio", "salon"), ("Med Spa", "clinic"),
    ("Wellness Clinic", "clinic"), ("Beauty Bar", "salon"), ("Skin Clinic", "clinic"), ("Nail Lounge", "salon"),
)  # fmt: skip
_FIXED_OFFSETS = {  # used only when the IANA database is unavailable (standard time)
    "America/New_York": -5, "America/Toronto": -5, "America/Chicago": -6, "America/Denver": -7,
    "America/Phoenix": -7, "America/Los_Angeles": -8, "Europe/London": 0, "Australia/Sydney": 10,
    "Australia/Melbourne": 10, "Australia/Brisbane": 10,
}  # fmt: skip

_FIRST = (
    "Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper", "Evelyn", "Abigail",
    "Emily", "Ella", "Grace", "Chloe", "Zoë", "Lily", "Hannah", "Nora", "Aria", "Layla", "Riley", "Zoey", "Leah",
    "Priya", "Aisha", "Mei", "Yuki", "Sofía", "Lucía", "Chiara", "Ingrid", "Siobhan", "Maeve", "Fatima", "Noor",
    "Liam", "Noah", "Oliver", "James", "Lucas", "Mason", "Ethan", "Daniel", "Henry", "Jack", "Samuel", "David",
    "Mateo", "José", "Arjun", "Kenji", "Omar", "Tomás", "Connor", "Marcus", "Andre", "Jamal", "Diego", "Felix",
)  # fmt: skip
_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
    "Patel", "Kim", "Chen", "Singh", "O'Brien", "Murphy", "Kelly", "Cohen", "Rossi", "Müller", "Dubois",
    "Kowalski", "Tanaka", "Okafor", "Haddad", "Larsen", "Fitzgerald",
)  # fmt: skip
_STAFF = ("Maria Lopez", "Jenna Park", "Tom Becker", "Aisha Khan", "Luis Ortega", "Kate Sullivan")

# code, name, type
_ACCOUNTS = (
    ("1000", "Operating Bank Account", "bank"),
    ("1010", "Cash on Hand", "asset"),
    ("1020", "Petty Cash", "asset"),
    ("1030", "Undeposited Funds", "asset"),
    ("1100", "Visa Clearing", "asset"),
    ("1110", "MasterCard Clearing", "asset"),
    ("1120", "Amex Clearing", "asset"),
    ("1130", "Discover Clearing", "asset"),
    ("1150", "Insurance Receivable", "asset"),
    ("1200", "Retail Inventory", "asset"),
    ("2100", "Gift Card Liability", "liability"),
    ("2200", "Sales Tax Payable", "liability"),
    ("2300", "Deferred Membership Revenue", "liability"),
    ("2400", "Tips Payable", "liability"),
    ("3000", "Owner's Equity", "equity"),
    ("4000", "Hair Services Revenue", "income"),
    ("4010", "Skin Care Services Revenue", "income"),
    ("4020", "Massage Services Revenue", "income"),
    ("4030", "Nail Services Revenue", "income"),
    ("4100", "Retail Product Sales", "income"),
    ("4200", "Package Revenue", "income"),
    ("4300", "Membership Revenue", "income"),
    ("4900", "Discounts Given", "income"),
    ("5000", "Cost of Retail Products Sold", "cost_of_goods_sold"),
    ("6100", "Office Supplies", "expense"),
    ("6200", "Cleaning & Laundry", "expense"),
    ("6300", "Repairs & Maintenance", "expense"),
    ("6400", "Client Refreshments", "expense"),
    ("6500", "Merchant Fees", "expense"),
    ("6700", "Postage & Delivery", "expense"),
    ("9000", "Cash Over/Short", "other"),
)
_ACCOUNT_NAME = {code: name for code, name, _t in _ACCOUNTS}

# Accounts that get deleted in the platform at some centers: (code, days before the end: min, max).
# Heavily used accounts are deleted recently (the failures are fresh), rarely used ones may be older.
_DELETABLE_ACCOUNTS = (
    ("1120", 4, 90), ("4200", 20, 240), ("1020", 5, 120), ("6400", 20, 240), ("1150", 20, 240),
    ("2400", 5, 90), ("4300", 20, 180), ("4030", 2, 25),
)  # fmt: skip

# code, name, item type, income account, group, price (cents), popularity, max qty
_CATALOG = (
    ("HAIR-101", "Women's Haircut", "service", "4000", "hair", 6500, 10.0, 1),
    ("HAIR-102", "Men's Haircut", "service", "4000", "hair", 3500, 8.0, 1),
    ("HAIR-103", "Blow Dry & Style", "service", "4000", "hair", 4500, 6.0, 1),
    ("HAIR-104", "Full Color", "service", "4000", "hair", 12000, 5.0, 1),
    ("HAIR-105", "Partial Highlights", "service", "4000", "hair", 14000, 4.0, 1),
    ("HAIR-106", "Balayage", "service", "4000", "hair", 22000, 2.0, 1),
    ("HAIR-107", "Keratin Smoothing Treatment", "service", "4000", "hair", 25000, 1.0, 1),
    ("SKIN-201", "Signature Facial", "service", "4010", "skin", 9500, 5.0, 1),
    ("SKIN-202", "HydraFacial", "service", "4010", "skin", 19900, 3.0, 1),
    ("SKIN-203", "Chemical Peel", "service", "4010", "skin", 15000, 2.0, 1),
    ("SKIN-204", "Microdermabrasion", "service", "4010", "skin", 13000, 1.5, 1),
    ("SKIN-205", "Brow Wax", "service", "4010", "skin", 2500, 5.0, 1),
    ("SKIN-206", "Lash Lift & Tint", "service", "4010", "skin", 8500, 2.0, 1),
    ("MSG-301", "Swedish Massage 60 min", "service", "4020", "massage", 9500, 6.0, 1),
    ("MSG-302", "Deep Tissue Massage 90 min", "service", "4020", "massage", 14500, 3.0, 1),
    ("MSG-303", "Hot Stone Massage", "service", "4020", "massage", 13500, 1.5, 1),
    ("MSG-304", "Couples Massage", "service", "4020", "massage", 24000, 1.0, 1),
    ("MSG-305", "Prenatal Massage", "service", "4020", "massage", 10500, 1.0, 1),
    ("NAIL-401", "Classic Manicure", "service", "4030", "nails", 3000, 6.0, 1),
    ("NAIL-402", "Gel Manicure", "service", "4030", "nails", 4500, 5.0, 1),
    ("NAIL-403", "Spa Pedicure", "service", "4030", "nails", 5500, 5.0, 1),
    ("NAIL-404", "Nail Art (per set)", "service", "4030", "nails", 1500, 2.0, 1),
    ("RTL-501", "Argan Oil Shampoo", "product", "4100", "retail", 2800, 4.0, 2),
    ("RTL-502", "Hydrating Conditioner", "product", "4100", "retail", 2600, 3.0, 2),
    ("RTL-503", "Vitamin C Serum", "product", "4100", "retail", 6800, 2.0, 1),
    ("RTL-504", "Mineral SPF 50", "product", "4100", "retail", 5200, 2.0, 2),
    ("RTL-505", "Cuticle Oil", "product", "4100", "retail", 1400, 2.0, 3),
    ("RTL-506", "Texturizing Spray", "product", "4100", "retail", 2400, 2.0, 2),
    ("PKG-601", "Bridal Package", "package", "4200", "package", 45000, 0.3, 1),
    ("PKG-602", "Spa Day Package", "package", "4200", "package", 29500, 0.6, 1),
    ("PKG-603", "Facial Series (6 sessions)", "package", "4200", "package", 49500, 0.3, 1),
    ("MEM-701", "Monthly Massage Membership", "membership", "4300", "membership", 8900, 1.0, 1),
    ("MEM-702", "Glow Club Membership", "membership", "4300", "membership", 12900, 0.6, 1),
    ("GC-801", "Gift Card $50", "gift_card", "2100", "gift", 5000, 1.0, 2),
    ("GC-802", "Gift Card $100", "gift_card", "2100", "gift", 10000, 0.8, 1),
    ("PPC-803", "Prepaid Card $250", "prepaid_card", "2100", "gift", 25000, 0.2, 1),
)
# New services some centers introduce late in the range without mapping them (item sync fails).
_NEW_ITEMS = (
    ("SKIN-207", "Dermaplaning Facial", "service", "4010", "skin", 11000, 3.0, 1),
    ("SKIN-208", "LED Light Therapy", "service", "4010", "skin", 6500, 3.0, 1),
    ("HAIR-108", "Scalp Detox Treatment", "service", "4000", "hair", 5500, 3.0, 1),
)
_DELETABLE_ITEMS = ("MSG-303", "HAIR-107", "SKIN-204", "RTL-505", "MSG-305")
_GROUP_BOOST = {
    "salon": {"hair": 3.0, "nails": 2.0, "retail": 1.3},
    "spa": {"massage": 3.0, "skin": 2.0, "package": 2.0, "membership": 1.5},
    "clinic": {"skin": 3.5, "massage": 1.2, "membership": 1.5},
}
_MAPPED_TYPE = {
    "qbo": {"service": "Service", "product": "Inventory", "package": "Bundle", "membership": "Service",
            "gift_card": "NonInventory", "prepaid_card": "NonInventory"},
    "xero": {"service": "Sales", "product": "Tracked Inventory", "package": "Sales", "membership": "Sales",
             "gift_card": "Sales", "prepaid_card": "Sales"},
    "intacct": {"service": "Non-Inventory (Sales only)", "product": "Inventory", "package": "Kit",
                "membership": "Non-Inventory (Sales only)", "gift_card": "Non-Inventory", "prepaid_card": "Non-Inventory"},
    "netsuite": {"service": "Service for Sale", "product": "Inventory Item", "package": "Kit/Package",
                 "membership": "Service for Sale", "gift_card": "Gift Certificate", "prepaid_card": "Gift Certificate"},
}  # fmt: skip
_GROUP_LABEL = {"hair": "Hair", "skin": "Skin Care", "massage": "Massage", "nails": "Nails", "retail": "Retail",
                "package": "Packages", "membership": "Memberships", "gift": "Gift Cards"}  # fmt: skip

# payment type -> clearing account; weights per business type
_PAYMENT_TYPES = (
    ("Visa", "1100", {"salon": 38, "spa": 40, "clinic": 34}),
    ("MasterCard", "1110", {"salon": 22, "spa": 22, "clinic": 20}),
    ("Cash", "1010", {"salon": 16, "spa": 10, "clinic": 8}),
    ("Amex", "1120", {"salon": 9, "spa": 13, "clinic": 10}),
    ("Discover", "1130", {"salon": 3, "spa": 3, "clinic": 3}),
    ("Gift Card", "2100", {"salon": 7, "spa": 9, "clinic": 5}),
    ("Check", "1030", {"salon": 2, "spa": 1, "clinic": 4}),
    ("Custom: Insurance", "1150", {"salon": 0, "spa": 1, "clinic": 16}),
)
_REGISTERS = ("Front Desk 1", "Front Desk 1", "Front Desk 1", "Front Desk 2", "Front Desk 2")
_PAYOUT_DEBITS = ("2400", "2400", "6400", "6200", "6300")
_PETTY_DEBITS = ("6100", "6200", "6400", "6400", "6700")

_PLATFORM_CYCLE = ("qbo", "xero", "qbo", "intacct", "xero", "netsuite", "qbo", "xero")
_PLATFORM_BLOCK = (("qbo", 8), ("xero", 6), ("intacct", 3), ("netsuite", 3))  # most on QuickBooks Online and Xero
_SYNC_CYCLE = ("invoice_wise", "invoice_wise", "invoice_wise_journal", "day_wise", "invoice_wise", "day_wise_journal")
_SYNC_WEIGHTS = (("invoice_wise", 56), ("invoice_wise_journal", 14), ("day_wise", 18), ("day_wise_journal", 12))
_WEEKDAY = (0.75, 0.9, 0.95, 1.05, 1.2, 1.35, 0.8)  # Monday..Sunday
_MONTH = (0.85, 0.9, 1.0, 1.0, 1.1, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05, 1.25)

# Sporadic failures (per document, after every caused one): cause -> probability, per document kind.
_SPORADIC = {
    "invoice": (("duplicate", 0.008), ("validation", 0.006), ("stale_object", 0.004), ("unknown", 0.002)),
    "payment": (("stale_object", 0.002), ("document_state", 0.001), ("validation", 0.001), ("unknown", 0.0005)),
    "misc_journal": (("validation", 0.01), ("duplicate", 0.003), ("unknown", 0.001)),
    "other": (("validation", 0.004), ("duplicate", 0.002), ("unknown", 0.0005)),
}
_TRANSIENT = ("platform_unavailable", "rate_limit")
# Rare causes forced once (on the first fitting document of a day) so they appear however small the range.
_FORCED_KINDS = {
    "duplicate": ("invoice", "summary_invoice"), "stale_object": ("payment",), "validation": ("misc_journal",),
    "document_state": ("payment",), "unknown": ("invoice", "summary_invoice"), "subscription": ("invoice", "summary_invoice"),
    "period_locked": ("invoice", "summary_invoice"),
}  # fmt: skip
_ALL_CAUSES = (
    "mapping_missing", "reference_inactive_or_deleted", "duplicate", "stale_object", "period_locked",
    "validation", "document_state", "authorization", "subscription", "rate_limit", "platform_unavailable",
    "unknown",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------
def _money(cents: int) -> str:
    if cents < 0:
        return "-" + _money(-cents)
    return f"{cents // 100}.{cents % 100:02d}"


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def _guid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def _cum(weights) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _tz_offsets(tz_name: str, dates: list[date], hour: int, minute: int) -> tuple[list[datetime], list[int]]:
    """For each date: the UTC (naive) moment of local `date hour:minute`, and the UTC offset in minutes."""
    try:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(tz_name)
    except Exception:  # no IANA database here: fixed standard offsets
        tz = timezone(timedelta(hours=_FIXED_OFFSETS.get(tz_name, 0)))
    utc, offs = [], []
    for d in dates:
        local = datetime(d.year, d.month, d.day, hour, minute, tzinfo=tz)
        off = local.utcoffset() or timedelta(0)
        utc.append((local - off).replace(tzinfo=None))
        offs.append(int(off.total_seconds() // 60))
    return utc, offs


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    m = abs(minutes)
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def _local_stamp(utc: datetime, offset_min: int, ms: int) -> str:
    local = utc + timedelta(minutes=offset_min)
    return f"{local.strftime('%Y-%m-%dT%H:%M:%S')}.{ms:03d}{_offset_text(offset_min)}"


def _xero_date(utc: datetime) -> str:
    ms = int((utc - datetime(1970, 1, 1)).total_seconds() * 1000)
    return f"\\/Date({ms})\\/"


# ---------------------------------------------------------------------------------------------------
# Raw responses, written the way each platform answers
# ---------------------------------------------------------------------------------------------------
_QBO_ENTITY = {"invoice": "Invoice", "summary_invoice": "Invoice", "payment": "Payment", "refund": "RefundReceipt",
               "misc_journal": "JournalEntry", "purchase_order": "PurchaseOrder", "transfer_order": "Transfer"}  # fmt: skip
_XERO_ENTITY = {"invoice": "Invoice", "summary_invoice": "Invoice", "payment": "Payment", "refund": "CreditNote",
                "misc_journal": "ManualJournal", "purchase_order": "PurchaseOrder", "transfer_order": "BankTransfer"}  # fmt: skip
_INTACCT_FUNCTION = {"invoice": "create_sotransaction", "summary_invoice": "create_sotransaction",
                     "payment": "create_arpayment", "refund": "create_sotransaction", "misc_journal": "create",
                     "purchase_order": "create_potransaction", "transfer_order": "create_ictransaction"}  # fmt: skip
_NETSUITE_TYPE = {"invoice": "invoice", "summary_invoice": "invoice", "payment": "customerPayment",
                  "refund": "cashRefund", "misc_journal": "journalEntry", "purchase_order": "purchaseOrder",
                  "transfer_order": "transferOrder"}  # fmt: skip
_SOAP_OPEN = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/'
              'envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
              '<soapenv:Header><platformMsgs:documentInfo xmlns:platformMsgs="urn:messages_2023_2.platform.webservices.'
              'netsuite.com"><platformMsgs:nsId>WEBSERVICES_{acct}_{ns}</platformMsgs:nsId></platformMsgs:documentInfo>'
              '</soapenv:Header><soapenv:Body>')  # fmt: skip
_SOAP_CLOSE = "</soapenv:Body></soapenv:Envelope>"
_QBO_610 = ("Object Not Found : Something you're trying to use has been made inactive. Check the fields with "
            "accounts, customers, items, vendors or employees.")  # fmt: skip


@dataclass
class _Ctx:
    """What a response template may mention."""

    platform: str
    kind: str
    doc_no: str
    amount: int  # cents
    sync_date: date
    at: datetime  # UTC of the attempt
    offset: int  # local offset, minutes
    ref: str = ""  # account code, item code or payment type
    ref_name: str = ""
    ref_is_item: bool = False
    journal: bool = False  # synced as journal entries
    lock_date: date | None = None


class _Responses:
    def __init__(self, rng: random.Random):
        self.rng = rng

    # -- common shapes ------------------------------------------------------------------------------
    def _qbo_fault(self, c: _Ctx, code: str, message: str, detail: str, element: str = "",
                   fault_type: str = "ValidationFault", xml: bool | None = None) -> str:  # fmt: skip
        stamp = _local_stamp(c.at, c.offset, self.rng.randrange(1000))
        if xml is None:
            xml = self.rng.random() < 0.25
        if xml:
            return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse xmlns="http://schema.'
                    f'intuit.com/finance/v3" time="{stamp}"><Fault type="{fault_type}"><Error code="{code}" '
                    f'element="{_xml(element, {chr(34): "&quot;"})}"><Message>{_xml(message)}</Message><Detail>'
                    f"{_xml(detail)}</Detail></Error></Fault></IntuitResponse>")  # fmt: skip
        body = {"Fault": {"Error": [{"Message": message, "Detail": detail, "code": code, "element": element}],
                          "type": fault_type}, "time": stamp}  # fmt: skip
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    def _xero_validation(self, c: _Ctx, messages: list[str], xml: bool | None = None) -> str:
        entity = "ManualJournal" if c.journal and c.kind in ("invoice", "summary_invoice") else _XERO_ENTITY[c.kind]
        if xml is None:
            xml = self.rng.random() < 0.2
        if xml:
            errs = "".join(f"<ValidationError><Message>{_xml(m)}</Message></ValidationError>" for m in messages)
            return ('<ApiException xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/'
                    '2001/XMLSchema"><ErrorNumber>10</ErrorNumber><Type>ValidationException</Type><Message>A '
                    f'validation exception occurred</Message><Elements><DataContractBase xsi:type="{entity}">'
                    f"<ValidationErrors>{errs}</ValidationErrors><Warnings /><Date>{c.sync_date.isoformat()}T00:00:00"
                    f"</Date><Total>{_money(c.amount)}</Total></DataContractBase></Elements></ApiException>")  # fmt: skip
        element: dict = {}
        if entity == "Invoice":
            element = {"Type": "ACCREC", "InvoiceNumber": c.doc_no, "Reference": c.doc_no, "Status": "AUTHORISED"}
        elif entity == "ManualJournal":
            element = {"Narration": c.doc_no, "Status": "POSTED", "LineAmountTypes": "NoTax"}
        elif entity == "Payment":
            element = {"Reference": c.doc_no, "Amount": float(_money(c.amount)), "PaymentType": "ACCRECPAYMENT"}
        else:
            element = {"Reference": c.doc_no, "Status": "AUTHORISED"}
        element["Date"] = "@DATE@"
        element["ValidationErrors"] = [{"Message": m} for m in messages]
        body = {"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
                "Elements": [element]}  # fmt: skip
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return text.replace("@DATE@", _xero_date(datetime(c.sync_date.year, c.sync_date.month, c.sync_date.day)))

    def _intacct_error(self, c: _Ctx, errorno: str, description: str, description2: str, correction: str) -> str:
        return ('<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status><senderid>'
                'posaccounting</senderid><controlid>' + _guid(self.rng) + '</controlid><uniqueid>false</uniqueid>'
                '<dtdversion>3.0</dtdversion></control><operation><authentication><status>success</status><userid>'
                'xml_gateway</userid><companyid>' + c.doc_no.split("-")[0].lower() + '-books</companyid></authentication>'
                f'<result><status>failure</status><function>{_INTACCT_FUNCTION[c.kind]}</function><controlid>{_xml(c.doc_no)}'
                f'</controlid><errormessage><error><errorno>{errorno}</errorno><description>{_xml(description)}'
                f'</description><description2>{_xml(description2)}</description2><correction>{_xml(correction)}'
                '</correction></error></errormessage></result></operation></response>')  # fmt: skip

    def _netsuite_status(self, c: _Ctx, code: str, message: str) -> str:
        if self.rng.random() < 0.4:  # the connector's one-line form
            return f"{code} - {message}"
        head = _SOAP_OPEN.format(acct=f"{7_000_000 + self.rng.randrange(999_999)}",
                                 ns=f"{self.rng.getrandbits(64):016x}")  # fmt: skip
        return (head + '<addResponse xmlns="urn:messages_2023_2.platform.webservices.netsuite.com"><writeResponse>'
                '<platformCore:status xmlns:platformCore="urn:core_2023_2.platform.webservices.netsuite.com" '
                f'isSuccess="false"><platformCore:statusDetail type="ERROR"><platformCore:code>{code}</platformCore:code>'
                f"<platformCore:message>{_xml(message)}</platformCore:message></platformCore:statusDetail>"
                f'</platformCore:status><baseRef xmlns:platformCore="urn:core_2023_2.platform.webservices.netsuite.com" '
                f'externalId="{_xml(c.doc_no)}" type="{_NETSUITE_TYPE[c.kind]}" xsi:type="platformCore:RecordRef"/>'
                "</writeResponse></addResponse>" + _SOAP_CLOSE)  # fmt: skip

    # -- success -------------------------------------------------------------------------------------
    def success(self, c: _Ctx, ext: str) -> str:
        p = c.platform
        if p == "qbo":
            entity = "JournalEntry" if c.journal and c.kind in ("invoice", "summary_invoice") else _QBO_ENTITY[c.kind]
            stamp = _local_stamp(c.at, c.offset, self.rng.randrange(1000))
            return (f'{{"{entity}":{{"Id":"{ext}","SyncToken":"0","DocNumber":{json.dumps(c.doc_no)},'
                    f'"TxnDate":"{c.sync_date.isoformat()}","TotalAmt":{_money(c.amount)}}},"time":"{stamp}"}}')
        if p == "xero":
            entity = "ManualJournal" if c.journal and c.kind in ("invoice", "summary_invoice") else _XERO_ENTITY[c.kind]
            number_key = "InvoiceNumber" if entity == "Invoice" else "Reference"
            return (f'{{"Id":"{_guid(self.rng)}","Status":"OK","ProviderName":"POS Accounting Connector",'
                    f'"DateTimeUTC":"{_xero_date(c.at)}","{entity}s":[{{"{entity}ID":"{ext}",'
                    f'"{number_key}":{json.dumps(c.doc_no)},"Status":"AUTHORISED","Total":{_money(c.amount)},'
                    '"ValidationErrors":[]}]}')  # fmt: skip
        if p == "intacct":
            return ('<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control>'
                    f'<operation><result><status>success</status><function>{_INTACCT_FUNCTION[c.kind]}</function>'
                    f"<controlid>{_xml(c.doc_no)}</controlid><key>{ext}</key></result></operation></response>")
        return (_SOAP_OPEN.format(acct="7142210", ns=f"{self.rng.getrandbits(64):016x}")
                + '<addResponse xmlns="urn:messages_2023_2.platform.webservices.netsuite.com"><writeResponse>'
                '<platformCore:status isSuccess="true" xmlns:platformCore="urn:core_2023_2.platform.webservices.'
                'netsuite.com"/><baseRef internalId="' + ext + '" type="' + _NETSUITE_TYPE[c.kind] + '" xsi:type='
                '"platformCore:RecordRef" xmlns:platformCore="urn:core_2023_2.platform.webservices.netsuite.com"/>'
                "</writeResponse></addResponse>" + _SOAP_CLOSE)  # fmt: skip

    # -- failures ------------------------------------------------------------------------------------
    def failure(self, cause: str, c: _Ctx) -> str:
        return getattr(self, "_" + cause)(c)

    def _mapping_missing(self, c: _Ctx) -> str:
        if c.kind == "misc_journal":
            return "Please add credit or debit account."
        fields_ = "journalItemAccounts" if c.ref_is_item else "journalPaymentAccounts"
        body = {"response": {"code": "451", "message": f"Name '{c.ref_name}' didn't match with mapped value.",
                             "fields": fields_, "data": []}}  # fmt: skip
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    def _reference_inactive_or_deleted(self, c: _Ctx) -> str:
        p, what = c.platform, "item" if c.ref_is_item else "account"
        r = self.rng.random()
        if p == "qbo":
            if what == "account" and r < 0.25:
                return self._qbo_fault(c, "2500", "Invalid Reference Id",
                                       f"Invalid Reference Id : Accounts element id {c.ref} not found", c.ref)
            return self._qbo_fault(c, "610", "Object Not Found", _QBO_610, c.ref)
        if p == "xero":
            if what == "account":
                msg = f"Account code '{c.ref}' has been archived, or has been deleted. Each line item must reference a valid account."
            else:
                msg = f"Item code '{c.ref}' has been archived, or has been deleted. Each line item must reference a valid item."
            return self._xero_validation(c, [msg])
        if p == "intacct":
            if what == "account":
                return self._intacct_error(c, "BL03000018", "", f"Invalid GL account '{c.ref}'. The account is "
                                           "inactive or has been deleted.", "Select an active account, or reactivate it.")
            return self._intacct_error(c, "BL03000018", "", f"Invalid item '{c.ref}'. The item is inactive or has "
                                       "been deleted.", "Select an active item, or reactivate it.")  # fmt: skip
        return self._netsuite_status(c, "INVALID_KEY_OR_REF", f"Invalid {what.title()} Reference Key {c.ref}")

    def _duplicate(self, c: _Ctx) -> str:
        p = c.platform
        if p == "qbo":
            txn = _QBO_ENTITY[c.kind]
            return self._qbo_fault(c, "6140", "Duplicate Document Number Error",
                                   "Duplicate Document Number Error : You must specify a different number. This number "
                                   f"has already been used. DocNumber={c.doc_no} is assigned to TxnType={txn} with "
                                   f"TxnId={self.rng.randrange(1000, 99999)}")  # fmt: skip
        if p == "xero":
            noun = "invoice" if c.kind in ("invoice", "summary_invoice") else "document"
            return self._xero_validation(c, [f"This {noun} number must be unique."])
        if p == "intacct":
            return self._intacct_error(c, "BL01001973", "", f"Another transaction with the document number "
                                       f"{c.doc_no} already exists.", "Use a unique document number.")
        return self._netsuite_status(c, "DUP_RCRD", f"This record already exists (tranId {c.doc_no}).")

    def _stale_object(self, c: _Ctx) -> str:
        who = self.rng.choice(_STAFF)
        if c.platform == "netsuite":
            return self._netsuite_status(c, "RCRD_HAS_BEEN_CHANGED", "Record has been changed since you retrieved it.")
        if c.platform == "intacct":
            return self._intacct_error(c, "BL34000061", "", f"The record has changed since you retrieved it: {who} "
                                       "modified it.", "Read the record again and resubmit.")
        return self._qbo_fault(c, "5010", "Stale Object Error",
                               f"Stale Object Error : You and {who} were working on this at the same time. {who} "
                               "finished before you did, so your work was not saved.")  # fmt: skip

    def _period_locked(self, c: _Ctx) -> str:
        lock = c.lock_date or c.sync_date
        if c.platform == "qbo":
            return self._qbo_fault(c, "6210", "Account Period Closed",
                                   f"Account Period Closed : The transaction date {c.sync_date.isoformat()} is on or "
                                   f"before the closing date {lock.isoformat()}. Cannot update transactions in a "
                                   "closed period.")  # fmt: skip
        if c.platform == "xero":
            return self._xero_validation(c, ["The document date cannot be before the end of year lock date, which is "
                                             f"currently set at {lock.strftime('%d %b %Y')}."])
        if c.platform == "intacct":
            return self._intacct_error(c, "BL03000061", "Cannot post to a closed period.", f"The GL period ending "
                                       f"{lock.isoformat()} is closed.", "Reopen the period or post to an open one.")
        return self._netsuite_status(c, "USER_ERROR", f"The transaction date falls in a closed period (closed through "
                                     f"{lock.isoformat()}).")  # fmt: skip

    def _validation(self, c: _Ctx) -> str:
        journal = c.kind == "misc_journal" or c.journal
        if c.platform == "qbo":
            detail = ("Business Validation Error: Transaction debits and credits must balance." if journal else
                      "Business Validation Error: You must select a product/service or an account for each split line "
                      "with either an amount or a billable expense.")  # fmt: skip
            return self._qbo_fault(c, "6000", "A business validation error has occurred while processing your request",
                                   detail)
        if c.platform == "xero":
            if journal:
                debit = _money(c.amount)
                credit = "-" + _money(max(c.amount // 10, 1))
                return self._xero_validation(c, [f"The total debits ({debit}) must equal total credits ({credit})"])
            return self._xero_validation(c, ["A Contact must be specified for this type of transaction"])
        if c.platform == "intacct":
            return self._intacct_error(c, "BL01001973", "", "Required field LOCATIONID is missing.",
                                       "Provide a location for the transaction.")
        return self._netsuite_status(c, "USER_ERROR", "Please enter value(s) for: Department")

    def _document_state(self, c: _Ctx) -> str:
        if c.platform == "xero":
            return self._xero_validation(c, ["Payments can only be made against Authorised documents."])
        if c.platform == "qbo":
            return self._qbo_fault(c, "6540", "Deposited Transaction cannot be changed",
                                   "Deposited Transaction cannot be changed : This transaction has been deposited. If "
                                   "you want to change or delete it, you must edit the deposit it appears on and "
                                   "remove it first.")  # fmt: skip
        if c.platform == "intacct":
            return self._intacct_error(c, "BL03000130", "", f"Transaction {c.doc_no} cannot be modified because it "
                                       "has been reconciled.", "Undo the reconciliation first.")
        return self._netsuite_status(c, "INVALID_TRANS_STATE", f"Transaction {c.doc_no} cannot be edited because "
                                     "it has been closed.")  # fmt: skip

    def _authorization(self, c: _Ctx) -> str:
        if self.rng.random() < 0.35 and c.platform in ("qbo", "xero"):
            return '{"error":"invalid_grant","error_description":"Token has been expired or revoked."}'
        if c.platform == "qbo":
            token = f"AB{self.rng.getrandbits(160):040X}"
            body = {"warnings": None, "intuitObject": None, "fault": {"error": [{
                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                "detail": f"Token expired: {token}", "code": "3200", "element": None}], "type": "AUTHENTICATION"},
                "time": int((c.at - datetime(1970, 1, 1)).total_seconds() * 1000)}  # fmt: skip
            return json.dumps(body, separators=(",", ":"))
        if c.platform == "xero":
            return ('{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: token expired at '
                    f'{c.at.strftime("%m/%d/%Y %H:%M:%S")}"}}')
        if c.platform == "intacct":
            return self._intacct_error(c, "XMLGW_JPP0002", "Sign-in information is incorrect. Please check your "
                                       "request.", "", "")
        return self._netsuite_status(c, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.")

    def _subscription(self, c: _Ctx) -> str:
        if c.platform == "qbo":
            return self._qbo_fault(c, "6190", "Invalid Company Status",
                                   "Subscription period has ended or canceled or there was a billing problem : You can't "
                                   "add data to QuickBooks Online because your trial or subscription period ended, you "
                                   "canceled your subscription, or there was a billing problem with your last payment.")
        if c.platform == "xero":
            return '{"Title":"Forbidden","Status":403,"Detail":"This organisation\'s subscription has expired."}'
        if c.platform == "intacct":
            return self._intacct_error(c, "PL04000055", "", "The company subscription has expired.",
                                       "Contact your Sage Intacct account administrator.")
        return self._netsuite_status(c, "ACCT_TEMP_UNAVAILABLE", "Your NetSuite subscription has expired.")

    def _rate_limit(self, c: _Ctx) -> str:
        if c.platform == "qbo":
            return self._qbo_fault(c, "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=403",
                                   "The request limit was reached.  Try again later", fault_type="SERVICE")
        if c.platform == "xero":
            return f"429 Too Many Requests - Retry-After: {self.rng.randrange(5, 60)} (X-Rate-Limit-Problem: minute)"
        if c.platform == "intacct":
            return self._intacct_error(c, "XMLGW_JPP0009", "Too many requests. The company exceeded its allowed "
                                       "concurrent requests.", "", "Retry later.")
        return self._netsuite_status(c, "SSS_REQUEST_LIMIT_EXCEEDED", "Request limit exceeded. Retry later.")

    def _platform_unavailable(self, c: _Ctx) -> str:
        if c.platform == "qbo":
            return self._qbo_fault(c, "10000", "An application error has occurred while processing your request",
                                   "System Failure Error: An unexpected error occurred while accessing or saving your "
                                   "data. Please wait a few minutes and try again. If the problem persists, contact "
                                   "customer support.", fault_type="SystemFault",
                                   xml=self.rng.random() < 0.5)  # fmt: skip
        if c.platform == "xero":
            if self.rng.random() < 0.5:
                return "An unhandled error has occurred"
            return "An unhandled error with the Xero API occurred. Contact the Xero API team if problems persist."
        if c.platform == "intacct":
            return ("<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>Service "
                    "Temporarily Unavailable</h1><p>The server is temporarily unable to service your request due to "
                    "maintenance downtime or capacity problems. Please try again later.</p></body></html>")
        return self._netsuite_status(c, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: "
                                     f"{self.rng.getrandbits(48):012x}")

    def _unknown(self, c: _Ctx) -> str:
        if c.platform == "xero":
            return "Object reference not set to an instance of an object."
        if c.platform == "intacct":
            return ('<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status><senderid>'
                    "posaccounting</senderid></control></response>")
        return "Unexpected response from the accounting platform (HTTP 200, empty body)"


# ---------------------------------------------------------------------------------------------------
# The plan: centers, their roles in the stories, and the bad days
# ---------------------------------------------------------------------------------------------------
@dataclass
class _Item:
    code: str
    name: str
    item_type: str
    account: str
    group: str
    price: int
    weight: float
    max_qty: int
    available_from: int = 0  # day index
    deleted_day: int | None = None  # deleted in the platform from this day on
    deleted_at: datetime | None = None
    unmapped: bool = False  # its sync failed: no platform item, no account
    bad_from: int | None = None  # first day a line with it makes the document fail (item or account deleted)
    bad_cause: tuple[str, str, bool] | None = None  # (ref, name, is_item)


@dataclass
class _Center:
    idx: int
    code: str
    name: str
    zone: str
    platform: str
    tz: str
    business: str
    rng: random.Random
    base_volume: float
    hours: dict[str, tuple[int, int]] = field(default_factory=dict)
    configs: list[tuple[int, str]] = field(default_factory=list)  # (from day index, sync type)
    first_config_date: date | None = None
    maintenance: bool = True
    items: list[_Item] = field(default_factory=list)
    item_cw: list[float] = field(default_factory=list)
    pay_types: list[tuple[str, str]] = field(default_factory=list)
    pay_cw: list[float] = field(default_factory=list)
    deleted_accounts: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    inactive_accounts: tuple[str, ...] = ()
    unmapped_pay: dict[str, tuple[int, int]] = field(default_factory=dict)  # type -> [from, to) day indices
    unmapped_payout_p: float = 0.0
    blank_payout_day: int | None = None
    rate_limited_now: float = 0.0  # share of the last two days' documents held back by the rate limit
    messiness: float = 1.0  # how often its documents fail for no systematic reason (data entry, timing)
    xero_journal_imbalance: float = 0.0
    events: dict[int, tuple[str, float]] = field(default_factory=dict)  # day -> (cause, probability)
    blocked: dict[int, str] = field(default_factory=dict)  # day -> pending reason
    lock: tuple[int, date] | None = None  # (lock day index, lock date)
    forced: dict[int, list[str]] = field(default_factory=dict)  # day -> causes to force on the first invoices
    switch_day: int | None = None
    maint_failed_last: bool = False
    maint_overdue: bool = False
    run_utc: list[datetime] = field(default_factory=list)  # per day: the post-sale run after it (UTC)
    offsets: list[int] = field(default_factory=list)
    counts: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # (job, run day) -> [processed, failed]
    ext_seq: int = 0


class _Generator:
    def __init__(self, out: Path, centers: int, days: int, seed: int, end_date: date, progress: bool,
                 now: datetime | None = None):
        if centers < 1 or days < 1:
            raise ValueError("centers and days must be at least 1")
        self.out, self.n, self.days, self.seed, self.end, self.progress = out, centers, days, seed, end_date, progress
        # the generator's clock (naive UTC): nothing it writes lies after it
        self.now = now if now is not None else datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        self.start = end_date - timedelta(days=days - 1)
        self.dates = [self.start + timedelta(days=i) for i in range(days)]
        self.dstr = [d.isoformat() for d in self.dates]
        # nothing happens after the end of the last sync date (UTC): the data reads as of then
        self.limit = min(datetime(end_date.year, end_date.month, end_date.day) + timedelta(days=1), self.now)
        self.rng = random.Random(seed)
        self.resp = _Responses(random.Random(seed * 31 + 7))
        self.zones: list[tuple[str, str]] = []
        self.centers: list[_Center] = []

    # -- plan ----------------------------------------------------------------------------------------
    def plan(self) -> None:
        rng, n = self.rng, self.n
        n_zones = min(n, max(3, round(n / 50)))
        for z in range(n_zones):
            name = _ZONE_NAMES[z] if z < len(_ZONE_NAMES) else f"Region {z + 1}"
            self.zones.append((f"Z{z + 1:02d}", name))
        used: dict[str, int] = {}
        pools: dict[str, list[tuple[str, str]]] = {"us": [], "intl": []}
        block: list[str] = []
        for ci in range(n):
            if ci < len(_PLATFORM_CYCLE):
                platform = _PLATFORM_CYCLE[ci]
            else:  # in shuffled blocks, so the mix holds for any number of centers
                if not block:
                    block = [p for p, k in _PLATFORM_BLOCK for _ in range(k)]
                    rng.shuffle(block)
                platform = block.pop()
            region = "intl" if platform == "xero" and rng.random() < 0.65 else "us"
            pool = pools[region]
            if not pool:  # each place once before any repeats
                pool.extend(_PLACES_INTL if region == "intl" else _PLACES_US)
                rng.shuffle(pool)
            place, tz = pool.pop()
            kind, business = _KINDS[rng.randrange(len(_KINDS))]
            name = f"{place} {kind}"
            for _ in range(30):
                if name not in used:
                    break
                kind, business = _KINDS[rng.randrange(len(_KINDS))]
                name = f"{place} {kind}"
            if name in used:
                used[name] += 1
                name = f"{name} {used[name]}"
            used[name] = 1
            zone = self.zones[ci * n_zones // n][0]
            c = _Center(ci, f"C{ci + 1:03d}", name, zone, platform, tz, business,
                        random.Random(seed_mix(self.seed, ci)), rng.uniform(8.5, 19.0))  # fmt: skip
            self.centers.append(c)
        self._plan_jobs_and_configs()
        self._plan_catalogs()
        self._plan_incidents()
        for c in self.centers:
            ps_h, ps_m = c.hours["post_sale"]
            c.run_utc, c.offsets = _tz_offsets(c.tz, [d + timedelta(days=1) for d in self.dates], ps_h, ps_m)

    def _plan_jobs_and_configs(self) -> None:
        rng, n, days = self.rng, self.n, self.days
        no_maint = [ci for ci in range(n) if ci % 8 == 5]
        if not no_maint and n >= 3:
            no_maint = [n - 1]
        for c in self.centers:
            c.maintenance = c.idx not in no_maint
            start_h = rng.choice((1, 2, 2, 2, 3))
            c.hours = {"post_sale": (start_h, rng.choice((0, 0, 30))), "refund": (start_h, 45),
                       "maintenance": (start_h + 1, rng.choice((0, 15, 30)))}  # fmt: skip
            if c.idx < len(_SYNC_CYCLE):
                st = _SYNC_CYCLE[c.idx]
            else:
                st = rng.choices([s for s, _ in _SYNC_WEIGHTS], [w for _, w in _SYNC_WEIGHTS])[0]
            c.configs = [(0, st)]
            c.first_config_date = self.start - timedelta(days=rng.randrange(30, 700))
        if n >= 2:
            sw = self.centers[1]
            sw.switch_day = max(1, min(days - 1, round(days * 0.6))) if days >= 2 else None
            sw.configs = [(0, "invoice_wise")] + ([(sw.switch_day, "day_wise")] if sw.switch_day else [])
        for c in self.centers[12::12]:  # more centers: more configuration changes
            if days >= 10 and len(c.configs) == 1:
                day = round(days * rng.uniform(0.3, 0.8))
                old = c.configs[0][1]
                new = {"invoice_wise": "invoice_wise_journal", "invoice_wise_journal": "invoice_wise",
                       "day_wise": "day_wise_journal", "day_wise_journal": "day_wise"}[old]  # fmt: skip
                c.configs.append((day, new))
        maint = [c for c in self.centers if c.maintenance]
        if maint:
            pick = maint[2] if len(maint) > 2 else maint[0]
            pick.maint_failed_last = True
            others = [c for c in maint if c is not pick]
            if others:
                (others[3] if len(others) > 3 else others[-1]).maint_overdue = True

    def _plan_catalogs(self) -> None:
        rng, days = self.rng, self.days
        for c in self.centers:
            crng = c.rng
            mult = crng.uniform(0.85, 1.3)
            boost = _GROUP_BOOST[c.business]
            items = []
            for code, name, it, acct, group, price, weight, max_qty in _CATALOG:
                p = int(round(price * mult / 100.0)) * 100
                if group in ("gift",):
                    p = price  # face value
                items.append(_Item(code, name, it, acct, group, p, weight * boost.get(group, 1.0), max_qty))
            c.items = items
            c.pay_types = [(t, a) for t, a, _w in _PAYMENT_TYPES]
            weights = [w[c.business] for _t, _a, w in _PAYMENT_TYPES]
            if c.idx % 3 == 2:
                weights[4] = 0  # no Discover here; its clearing account is inactive
                c.inactive_accounts = ("1130",)
            c.pay_cw = _cum(weights)
        n = self.n
        scale = min(1.0, days / 400)  # how far back deletions go, relative to the default range
        # deleted accounts: ~70 % of centers (1-3 each), always the first
        for c in self.centers:
            if not (c.idx == 0 or rng.random() < 0.7):
                continue
            k = 1 if c.idx == 0 else rng.choice((1, 2, 2, 3))
            picks = rng.sample(range(len(_DELETABLE_ACCOUNTS)), k)
            if c.idx == 0:
                picks = [0]  # Amex clearing: payments fail, plainly caused
            for p in sorted(picks):
                code, lo, hi = _DELETABLE_ACCOUNTS[p]
                back = min(days - 1, max(min(lo, 5), round(rng.randint(lo, hi) * scale)))
                day = days - 1 - back
                self._ensure_used(c, code)
                c.deleted_accounts[code] = (day, self._daytime(c, day, 9, 18))
        # a neglected center: its Amex clearing account was deleted half-way through and nobody re-mapped it
        if n >= 7:
            c = self.centers[6]
            day = days // 2
            self._ensure_used(c, "1120")
            c.deleted_accounts["1120"] = (day, self._daytime(c, day, 9, 18))
        # deleted items: ~45 % of centers (and the third one)
        for c in self.centers:
            if not (c.idx == min(2, n - 1) or rng.random() < 0.45):
                continue
            code = rng.choice(_DELETABLE_ITEMS)
            it = next(i for i in c.items if i.code == code)
            it.deleted_day = days - 1 - min(days - 1, max(5, round(rng.randint(5, 120) * scale)))
            it.deleted_at = self._daytime(c, it.deleted_day, 9, 18)
        # items nobody mapped: ~25 % of centers introduce a new service late in the range
        for c in self.centers:
            if not (c.idx == min(3, n - 1) or rng.random() < 0.25):
                continue
            code, name, it, acct, group, price, weight, max_qty = rng.choice(_NEW_ITEMS)
            new = _Item(code, name, it, acct, group, int(round(price * 1.0 / 100)) * 100, weight, max_qty)
            new.available_from = max(0, min(days - 1, round(days * rng.uniform(0.85, 0.95))))
            new.unmapped = True
            c.items.append(new)
        for c in self.centers:
            c.item_cw = _cum(i.weight for i in c.items)
            for it in c.items:
                cands = []
                if it.deleted_day is not None:
                    cands.append((it.deleted_day, (it.code, it.name, True)))
                if not it.unmapped and it.account in c.deleted_accounts:
                    cands.append((c.deleted_accounts[it.account][0], (it.account, _ACCOUNT_NAME[it.account], False)))
                if cands:
                    it.bad_from, it.bad_cause = min(cands)

    def _ensure_used(self, c: _Center, code: str) -> None:
        """A deleted clearing account must belong to a payment type the center takes."""
        for i, (_t, acct) in enumerate(c.pay_types):
            if acct == code:
                prev = c.pay_cw[i - 1] if i else 0.0
                if c.pay_cw[i] - prev <= 0:
                    weights = [c.pay_cw[0]] + [c.pay_cw[j] - c.pay_cw[j - 1] for j in range(1, len(c.pay_cw))]
                    weights[i] = 4
                    c.pay_cw = _cum(weights)

    def _daytime(self, c: _Center, day: int, h0: int, h1: int, rng: random.Random | None = None) -> datetime:
        """A UTC moment during local business hours of day `day` at center c."""
        rng = rng or self.rng
        d = self.dates[max(0, min(day, self.days - 1))]
        local = datetime(d.year, d.month, d.day, rng.randint(h0, h1 - 1), rng.randrange(60), rng.randrange(60))
        utc, _offs = _tz_offsets(c.tz, [d], 0, 0)
        return min(local - (datetime(d.year, d.month, d.day) - utc[0]), self.limit - timedelta(minutes=1))

    def _plan_incidents(self) -> None:
        rng, n, days = self.rng, self.n, self.days
        cs = self.centers
        by_platform: dict[str, list[_Center]] = {p: [c for c in cs if c.platform == p] for p in
                                                 ("qbo", "xero", "intacct", "netsuite")}  # fmt: skip
        last = days - 1

        def day_at(frac: float) -> int:
            return max(0, min(last, round(days * frac)))

        def first(cands: list[_Center], avoid: set[int]) -> _Center | None:
            for c in cands:
                if c.idx not in avoid:
                    return c
            return cands[0] if cands else None

        used: set[int] = {1}
        # outages: every QBO center on one day, Xero for half a day later, one Sage Intacct gateway outage
        d_qbo, d_xero = day_at(0.33), day_at(0.55)
        for c in by_platform["qbo"]:
            c.events[d_qbo] = ("platform_unavailable", 0.85)
            c.events.setdefault(day_at(0.9), ("platform_unavailable", 0.3))  # a shorter one later
        for c in by_platform["xero"]:
            c.events.setdefault(d_xero, ("platform_unavailable", 0.5))
        for c in by_platform["intacct"][:1]:
            c.events.setdefault(day_at(0.42), ("platform_unavailable", 0.6))
        # rate-limit burst
        d_rl = day_at(0.8)
        for c in cs:
            p = {"qbo": 0.22, "xero": 0.15, "netsuite": 0.1}.get(c.platform)
            if p:
                c.events.setdefault(d_rl, ("rate_limit", p))
        # expired authorization for three days at one center
        auth = first(by_platform["qbo"] or cs, used)
        if auth:
            used.add(auth.idx)
            for d in range(day_at(0.66), min(last, day_at(0.66) + 2) + 1):
                auth.events[d] = ("authorization", 1.0)
        # a lapsed subscription for two days
        sub = first(by_platform["qbo"][1:] or by_platform["intacct"] or cs, used)
        if sub:
            used.add(sub.idx)
            for d in (day_at(0.45), min(last, day_at(0.45) + 1)):
                sub.events.setdefault(d, ("subscription", 1.0))
        # now: one center waits for re-authorization, one is paused
        if n >= 3 and days >= 6:
            ap = first(by_platform["xero"] + by_platform["netsuite"], used)
            if ap:
                used.add(ap.idx)
                waiting = 3 if days >= 60 else 2
                ap.events[last - waiting] = ("authorization", 1.0)
                for d in range(last - waiting + 1, last + 1):
                    ap.blocked[d] = "authorization_expired"
            pz = first([c for c in cs if c.platform in ("intacct", "netsuite")] + cs, used)
            if pz:
                used.add(pz.idx)
                for d in range(max(0, last + 1 - max(2, min(6, days // 10))), last + 1):
                    pz.blocked[d] = "integration_paused"
        for c in cs:
            c.rate_limited_now = 0.004 if c.platform in ("qbo", "xero") else 0.0
            c.messiness = rng.choice((0.5, 0.8, 1.0, 1.0, 1.2, 1.5, 2.5, 4.0))  # some centers are worse
        busy = first(by_platform["qbo"] + by_platform["xero"], used)
        if busy:  # a center pushing right now, throttled
            used.add(busy.idx)
            busy.rate_limited_now = 0.3
        # period locked: late retries at a few centers around an early year-end lock
        lock_day = day_at(0.25)
        month_end = self.dates[lock_day].replace(day=1) - timedelta(days=1)  # books close at a month end
        if (month_end - self.start).days >= 7:
            lock_day = (month_end - self.start).days
        lock_date = self.dates[lock_day]
        for c in cs:
            if c.idx in (0, 1) or rng.random() < 0.15:
                c.lock = (lock_day, lock_date)
        # mapping: MasterCard mapping removed for a few days; payout reasons nobody mapped; insurance unmapped
        mc = cs[min(2, n - 1)]
        d_mc = day_at(0.7)
        mc.unmapped_pay["MasterCard"] = (d_mc, min(days, d_mc + 10))
        for c in cs[8::8]:  # more centers: more mappings removed for a while
            c.unmapped_pay[rng.choice(("Amex", "Visa", "Gift Card"))] = (day_at(rng.uniform(0.3, 0.9)),
                                                                          day_at(rng.uniform(0.3, 0.9)) + 7)
        for c in cs:
            if c.idx % 3 == 0 or rng.random() < 0.2:
                c.unmapped_payout_p = 0.08
                c.blank_payout_day = day_at(0.5)  # at least one, however small the range
            if c.platform == "xero":
                c.xero_journal_imbalance = 0.01
        clinics = [c for c in cs if c.business == "clinic"]
        if clinics:
            clinics[0].unmapped_pay["Custom: Insurance"] = (day_at(0.9), days)
        # rare categories appear at least once however small the range
        rare = tuple(_FORCED_KINDS)
        qbo0 = by_platform["qbo"][0] if by_platform["qbo"] else cs[0]
        for k, cause in enumerate(rare):
            c = qbo0 if cause in ("stale_object", "subscription", "document_state") else cs[k % n]
            if cause == "period_locked" and c.lock is None:
                c.lock = (lock_day, lock_date)
            c.forced.setdefault(max(0, min(last, day_at(0.1) + k % 5)), []).append(cause)
        # a POS re-send: a burst of duplicates at one center
        dup = cs[min(4, n - 1)]
        dup.events.setdefault(day_at(0.2), ("duplicate", 0.4))

    # -- writing -------------------------------------------------------------------------------------
    def run(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        files, self.w = {}, {}
        self.f = files
        try:
            for name in bundle.ENTITY_ORDER:
                f = open(self.out / f"{name}.csv", "w", newline="", encoding="utf-8")
                files[name] = f
                wr = csv.writer(f, lineterminator="\n")
                wr.writerow(bundle.ENTITIES[name].column_names)
                self.w[name] = wr.writerow
            self.plan()
            self._write_static()
            centers = self.centers
            bar = None
            if self.progress:
                try:
                    from tqdm import tqdm

                    bar = tqdm(total=len(centers), unit="center", desc="   generating", file=sys.stdout, leave=False)
                except ImportError:  # pragma: no cover - tqdm is a runtime dependency
                    bar = None
            for c in centers:
                self._center_days(c)
                if bar is not None:
                    bar.update(1)
            if bar is not None:
                bar.close()
            self._write_job_runs()
        finally:
            for f in files.values():
                f.close()

    def _write_static(self) -> None:
        w = self.w
        for code, name in self.zones:
            w["zones"]((code, name))
        for c in self.centers:
            w["centers"]((c.code, c.name, c.zone, c.platform, c.tz, "true"))
            for i, (day, st) in enumerate(c.configs):
                eff = c.first_config_date if i == 0 else self.dates[day]
                w["sync_configs"]((c.code, eff.isoformat(), st))
            for job in ("post_sale", "refund", "maintenance"):
                h, m = c.hours[job]
                enabled = job != "maintenance" or c.maintenance
                w["sync_jobs"]((c.code, job, "true" if enabled else "false", f"daily {h:02d}:{m:02d}" if enabled else ""))
            read_at = _iso(self.limit - timedelta(minutes=c.rng.randrange(5, 180)))  # the chart as read last night
            for code, name, typ in _ACCOUNTS:
                deleted = c.deleted_accounts.get(code)
                active = not deleted and code not in c.inactive_accounts
                w["accounts"]((c.code, code, name, typ, "true" if active else "false", read_at,
                               _iso(deleted[1]) if deleted else ""))  # fmt: skip
            mapped = _MAPPED_TYPE[c.platform]
            for it in c.items:
                if it.unmapped:
                    at = self._daytime(c, it.available_from, 9, 18)
                    ctx = _Ctx(c.platform, "invoice", it.code, it.price, self.dates[it.available_from], at, 0,
                               ref=it.code, ref_name=it.name, ref_is_item=True)  # fmt: skip
                    w["items"]((c.code, it.code, it.name, it.item_type, "", "", "", "failed",
                                self.resp.failure("mapping_missing", ctx), ""))  # fmt: skip
                    continue
                platform_item = {"qbo": f"{_GROUP_LABEL[it.group]}:{it.name}", "xero": it.code,
                                 "intacct": f"ITM-{it.code}", "netsuite": f"{it.name} ({_GROUP_LABEL[it.group]})"}[c.platform]  # fmt: skip
                w["items"]((c.code, it.code, it.name, it.item_type, mapped[it.item_type], platform_item, it.account,
                            "processed", "", _iso(it.deleted_at) if it.deleted_at else ""))  # fmt: skip

    # -- the daily loop ------------------------------------------------------------------------------
    def _center_days(self, c: _Center) -> None:
        rng, w, days = c.rng, self.w, self.days
        # the big files are written as plain lines: their values never need CSV quoting
        so_f, line_f, pay_f = self.f["sale_orders"].write, self.f["sale_order_lines"].write, self.f["payments"].write
        items, item_cw, pay_types, pay_cw = c.items, c.item_cw, c.pay_types, c.pay_cw
        fallback = items[0]
        n_first, n_last = len(_FIRST), len(_LAST)
        deleted_po = False
        code = c.code
        inv_seq = pay_seq = mj_seq = rf_seq = po_seq = to_seq = 0
        cfg_idx, cfg = 0, c.configs[0][1]
        unmapped_pay = c.unmapped_pay
        deleted_accounts = c.deleted_accounts
        choices, rnd = rng.choices, rng.random
        doc = self._doc
        for di in range(days):
            while cfg_idx + 1 < len(c.configs) and c.configs[cfg_idx + 1][0] <= di:
                cfg_idx += 1
                cfg = c.configs[cfg_idx][1]
            day_wise = cfg.startswith("day_wise")
            journal = cfg.endswith("journal")
            d = self.dates[di]
            ds = self.dstr[di]
            factor = _WEEKDAY[d.weekday()] * _MONTH[d.month - 1] * (0.92 + 0.16 * di / max(1, days - 1))
            n_orders = max(1, int(c.base_volume * factor * (0.75 + 0.5 * rnd()) + 0.5))
            summary_no = f"S-{code}-{d.strftime('%Y%m%d')}" if day_wise else ""
            orders = []  # (invoice no, total cents, problem, payments[(no, type, account, cents)])
            day_total = 0
            day_problem = None
            for _ in range(n_orders):
                inv_seq += 1
                inv_no = f"{code}-INV-{inv_seq:06d}"
                r = rnd()
                n_lines = 1 if r < 0.5 else 2 if r < 0.8 else 3 if r < 0.95 else 4
                total = 0
                problem = None  # (cause, ref, name, is_item)
                for ln, it in enumerate(choices(items, cum_weights=item_cw, k=n_lines), 1):
                    if it.available_from > di:
                        it = fallback
                    qty = 1 if it.max_qty == 1 or rnd() < 0.7 else 2 + int(rnd() * (it.max_qty - 1))
                    amt = it.price * qty
                    if rnd() < 0.1:  # a discount
                        amt -= amt * (10 + int(rnd() * 15)) // 100
                    total += amt
                    if it.unmapped:
                        acct = ""
                        if problem is None:
                            problem = ("mapping_missing" if journal else "item_not_synced", it.code, it.name, True)
                    else:
                        acct = it.account
                        if it.bad_from is not None and di >= it.bad_from:
                            if problem is None or problem[0] != "reference_inactive_or_deleted":
                                ref, name, is_item = it.bad_cause
                                problem = ("reference_inactive_or_deleted", ref, name, is_item)
                    line_f(f"{code},{inv_no},{ln},{it.code},{acct},{qty},{amt / 100:.2f}\n")
                guest = f"{_FIRST[int(rnd() * n_first)]} {_LAST[int(rnd() * n_last)]}"
                so_f(f"{code},{inv_no},{guest},{ds},{total / 100:.2f},{summary_no}\n")
                # payments: one, sometimes split in two
                if rnd() < 0.82:
                    parts = (total,)
                else:
                    first_part = total * (20 + int(rnd() * 60)) // 100
                    parts = (first_part, total - first_part)
                pays = []
                for part, (ptype, pacct) in zip(parts, choices(pay_types, cum_weights=pay_cw, k=len(parts)), strict=True):
                    pay_seq += 1
                    pay_no = f"{code}-PAY-{pay_seq:06d}"
                    window = unmapped_pay.get(ptype)
                    if window and window[0] <= di < window[1]:
                        pacct = ""
                    pays.append((pay_no, ptype, pacct, part))
                    pay_f(f"{code},{pay_no},{inv_no},{ptype},{pacct},{part / 100:.2f},{ds}\n")
                orders.append((inv_no, total, problem, pays))
                day_total += total
                if problem and (day_problem is None or problem[0] == "reference_inactive_or_deleted"):
                    day_problem = problem
            # the invoice documents: one per sale order, or the day's summary invoice
            if day_wise:
                doc(c, "summary_invoice", summary_no, di, day_total, day_problem, None, journal)
                parents = [None] * len(orders)  # payments go individually, not held by the summary
            else:
                parents = [doc(c, "invoice", o[0], di, o[1], o[2], None, journal) for o in orders]
            for (_inv_no, _total, _problem, pays), parent in zip(orders, parents, strict=True):
                for pay_no, ptype, pacct, part in pays:
                    problem = None
                    if not pacct:
                        problem = ("mapping_missing", ptype, ptype, False)
                    elif pacct in deleted_accounts and di >= deleted_accounts[pacct][0]:
                        problem = ("reference_inactive_or_deleted", pacct, _ACCOUNT_NAME[pacct], False)
                    doc(c, "payment", pay_no, di, part, problem, parent, False)
            # refunds, now and then
            if rnd() < 0.14:
                rf_seq += 1
                doc(c, "refund", f"{code}-RF-{rf_seq:05d}", di, 1500 + int(rnd() * 13500), None, None, False)
            # misc journals
            r = rnd()
            n_mj = 1 if r < 0.35 else 2 if r < 0.7 else 3 if r < 0.9 else 4
            for k in range(n_mj):
                mj_seq += 1
                mj_no = f"{code}-MJ-{mj_seq:06d}"
                kind = "cash_deposit" if k == 0 and rnd() < 0.85 else None
                if kind is None:
                    r = rnd()
                    kind = "cash_pay_in" if r < 0.2 else "cash_payout" if r < 0.62 else "petty_cash_expense"
                if kind == "cash_deposit":
                    debit, credit, amt = "1000", "1010", 15000 + int(rnd() * 165000)
                elif kind == "cash_pay_in":
                    debit, credit, amt = "1010", "1000", (5 + int(rnd() * 25)) * 1000
                elif kind == "cash_payout":
                    debit, credit, amt = _PAYOUT_DEBITS[int(rnd() * 5)], "1010", 2000 + int(rnd() * 23000)
                    if c.unmapped_payout_p and (rnd() < c.unmapped_payout_p or di == c.blank_payout_day):
                        debit = ""  # a payout reason nobody mapped to an account
                else:
                    debit, credit, amt = _PETTY_DEBITS[int(rnd() * 5)], "1020", 500 + int(rnd() * 8500)
                register = _REGISTERS[int(rnd() * 5)]
                w["misc_journals"]((code, mj_no, register, kind, ds, debit, credit, _money(amt)))
                problem = None
                if not debit or not credit:
                    problem = ("mapping_missing", "", "", False)
                else:
                    for acct in (debit, credit):
                        dele = deleted_accounts.get(acct)
                        if dele and di >= dele[0]:
                            problem = ("reference_inactive_or_deleted", acct, _ACCOUNT_NAME[acct], False)
                            break
                if problem is None and c.xero_journal_imbalance and rnd() < c.xero_journal_imbalance:
                    problem = ("validation", "", "", False)
                doc(c, "misc_journal", mj_no, di, amt, problem, None, False)
            # stock orders: a few per week
            for kind, p, lo, hi in (("purchase_order", 0.3, 15000, 250000), ("transfer_order", 0.13, 5000, 80000)):
                # where the maintenance job is missing, at least one deleted purchase order shows it
                force = not c.maintenance and not deleted_po and kind == "purchase_order" and di == max(0, days - 8)
                if rnd() >= p and not force:
                    continue
                if kind == "purchase_order":
                    po_seq += 1
                    no = f"{code}-PO-{po_seq:05d}"
                else:
                    to_seq += 1
                    no = f"{code}-TO-{to_seq:05d}"
                amt = lo + int(rnd() * (hi - lo))
                del_day = None
                if rnd() < (0.08 if c.maintenance else 0.15) or force:
                    deleted_po = deleted_po or kind == "purchase_order"
                    del_day = min(days - 1, di + int(rnd() * 6))
                deleted_at = self._daytime(c, del_day, 10, 19, rng) if del_day is not None else None
                w["stock_orders"]((code, kind, no, ds, _money(amt), _iso(deleted_at) if deleted_at else ""))
                self._stock_doc(c, kind, no, di, amt, del_day)

    # -- one document --------------------------------------------------------------------------------
    def _decide(self, c: _Center, kind: str, di: int, problem, parent) -> tuple[str, str, int, str | None]:
        """(status, pending reason, attempts, failure cause)."""
        rng = c.rng
        days = self.days
        blocked = c.blocked.get(di)
        if blocked:
            return "pending", blocked, 0, None
        if parent is not None and parent[0] == "pending":
            reason = parent[1]
            return "pending", reason, (1 if reason == "item_not_synced" else 0), None
        back = days - 1 - di
        if back < 3:
            if back <= 1 and rng.random() < c.rate_limited_now:
                return "pending", "rate_limited", rng.randint(1, 3), None
            if rng.random() < (0.95, 0.6, 0.15)[back]:
                return "pending", "awaiting_schedule", 0, None
        forced = c.forced.get(di)
        if forced:
            for i, cause in enumerate(forced):
                if kind in _FORCED_KINDS[cause]:
                    del forced[i]
                    return "failed", "", rng.randint(1, 3), cause
        ev = c.events.get(di)
        if ev and rng.random() < ev[1] and (ev[0] != "duplicate" or kind in ("invoice", "summary_invoice")):
            cause = ev[0]
            return "failed", "", (5 if cause in _TRANSIENT else rng.randint(1, 3)), cause
        if problem is not None:
            cause = problem[0]
            if cause == "item_not_synced":
                return "pending", "item_not_synced", 1, None
            return "failed", "", rng.randint(1, 4), cause
        if parent is not None and parent[0] == "failed" and parent[3] not in _TRANSIENT:
            # a payment needs its invoice in the books: Xero refuses it; the connector holds it for the other
            # platforms, and after two weeks posts it unapplied (then it is processed like any other)
            if c.platform == "xero":
                return "failed", "", rng.randint(1, 2), "document_state"
            if back <= 14:
                return "pending", "item_not_synced", 1, None
        if c.lock and c.lock[0] - 7 <= di <= c.lock[0] and rng.random() < 0.04:
            return "failed", "", rng.randint(3, 5), "period_locked"
        r = rng.random() / c.messiness
        for cause, p in _SPORADIC.get(kind, _SPORADIC["other"]) if kind != "summary_invoice" else _SPORADIC["invoice"]:
            if r < p:
                if cause == "stale_object" and c.platform == "xero":
                    cause = "validation"
                return "failed", "", rng.randint(1, 3), cause
            r -= p
        return "processed", "", (1 if rng.random() < 0.88 else rng.randint(2, 3)), None

    def _doc(self, c: _Center, kind: str, doc_no: str, di: int, amount: int, problem, parent, journal: bool):
        status, reason, attempts, cause = self._decide(c, kind, di, problem, parent)
        rng = c.rng
        last_attempt = ext = response = ""
        at = None
        if attempts:
            at = c.run_utc[di] + timedelta(seconds=5 + int(rng.random() * 2395))
            if status == "failed" and attempts > 1:
                if cause in _TRANSIENT:
                    at += timedelta(minutes=15 * (attempts - 1) * attempts)
                else:
                    at += timedelta(days=rng.randrange(0, 3), hours=rng.randrange(0, 6))
            if c.lock and cause == "period_locked":
                at = c.run_utc[min(self.days - 1, c.lock[0] + rng.randrange(2, 12))] + timedelta(minutes=rng.randrange(600))
            if di == self.days - 1:
                at -= timedelta(hours=rng.randrange(8, 12))  # the last day: pushed during the day, by hand
            if at > self.limit:
                at = self.limit - timedelta(seconds=rng.randrange(60, 3600))
            last_attempt = _iso(at)
        sw = c.switch_day
        if sw is not None and kind == "invoice" and (di == sw - 1 or (sw - 4 < di < sw and status != "processed")):
            status, reason = "archived", ""  # the configuration reset archived what was left of invoice-wise
        if status == "processed":
            ext = self._ext_ref(c)
            if rng.random() < 0.12:  # most successes are stored without a body, to keep the bundle small
                response = self.resp.success(self._ctx(c, kind, doc_no, di, amount, at, problem, journal), ext)
        elif cause is not None:
            ctx = self._ctx(c, kind, doc_no, di, amount, at, problem if problem and problem[0] == cause else None, journal)
            response = self.resp.failure(cause, ctx)
        if response:
            self.w["documents"]((c.code, kind, doc_no, self.dstr[di], f"{amount / 100:.2f}", status, reason,
                                 attempts, last_attempt, ext, response))  # fmt: skip
        else:  # nothing to quote
            self.f["documents"].write(f"{c.code},{kind},{doc_no},{self.dstr[di]},{amount / 100:.2f},{status},{reason},"
                                      f"{attempts},{last_attempt},{ext},\n")
        if attempts and status in ("processed", "failed"):
            run_day = di + 1
            if run_day >= self.days - 14 and run_day <= self.days - 1:
                job = "refund" if kind == "refund" else "post_sale"
                cnt = c.counts.setdefault((job, run_day), [0, 0])
                cnt[0 if status == "processed" else 1] += 1
        return (status, reason, attempts, cause)

    def _ctx(self, c: _Center, kind, doc_no, di, amount, at, problem, journal) -> _Ctx:
        ctx = _Ctx(c.platform, kind, doc_no, amount, self.dates[di], at or c.run_utc[di], c.offsets[di],
                   journal=journal, lock_date=c.lock[1] if c.lock else None)  # fmt: skip
        if problem is not None:
            _cause, ctx.ref, ctx.ref_name, ctx.ref_is_item = problem
        return ctx

    def _ext_ref(self, c: _Center) -> str:
        if c.platform == "xero":
            return _guid(c.rng)
        c.ext_seq += 1 + int(c.rng.random() * 3)
        base = {"qbo": 1000, "intacct": 40000, "netsuite": 250000}[c.platform]
        return str(base + c.ext_seq)

    def _stock_doc(self, c: _Center, kind: str, no: str, di: int, amount: int, del_day: int | None) -> None:
        rng, days = c.rng, self.days
        if del_day is None:
            self._doc(c, kind, no, di, amount, None, None, False)
            return
        created_at = c.run_utc[di] + timedelta(seconds=rng.randrange(5, 2400))
        ext = self._ext_ref(c)
        run_day = del_day + 1  # the maintenance job runs the night after the deletion
        status, reason, attempts, at = "processed", "", 2, None
        if not c.maintenance:
            status, reason, attempts, at = "pending", "deleted_order_awaiting_maintenance", 1, created_at
        elif (run_day > days - 1 or (c.maint_failed_last and run_day == days - 1)
              or (c.maint_overdue and run_day > days - 5)):  # fmt: skip
            status, reason, attempts, at = "pending", "awaiting_schedule", 1, created_at
        else:
            h, m = c.hours["maintenance"]
            at = c.run_utc[min(days - 1, del_day)] + timedelta(hours=h - c.hours["post_sale"][0], minutes=m,
                                                               seconds=rng.randrange(5, 600))  # fmt: skip
            if run_day >= days - 14:
                cnt = c.counts.setdefault(("maintenance", run_day), [0, 0])
                cnt[0] += 1
        if at is not None and at > self.limit:  # not after the data's end (nor the generator's clock)
            at = self.limit - timedelta(minutes=1)
        self.w["documents"]((c.code, kind, no, self.dstr[di], _money(amount), status, reason, attempts, _iso(at),
                             ext, ""))  # fmt: skip

    # -- job runs ------------------------------------------------------------------------------------
    def _write_job_runs(self) -> None:
        days = self.days
        first_run = max(0, days - 14)
        for c in self.centers:
            rng = c.rng
            jobs = ["post_sale", "refund"] + (["maintenance"] if c.maintenance else [])
            # Through the morning after the last sync date: that run is the one that processed it.
            run_days = list(range(first_run, days + 1))
            for job in jobs:
                h, m = c.hours[job]
                starts, _offs = _tz_offsets(c.tz, [self.dates[0] + timedelta(days=r) for r in run_days], h, m)
                # no run after the generator's clock; the last one that started is the one that failed, if any
                kept = [(r, start) for r, start in zip(run_days, starts, strict=True) if start <= self.now]
                last_day = kept[-1][0] if kept else None
                for r, start in kept:
                    blocked = c.blocked.get(r - 1) if r >= 1 else None
                    if blocked == "integration_paused":
                        continue  # paused: the jobs do not run
                    if job == "maintenance" and c.maint_overdue and r > days - 5:
                        continue  # overdue: no run in the last days
                    processed, failed = c.counts.get((job, r), [0, 0])
                    status, message = "succeeded", ""
                    if job == "maintenance" and c.maint_failed_last and r == last_day:
                        status, failed = "failed", 0
                        message = ("Maintenance job failed: the accounting platform did not answer (HTTP 503 Service "
                                   "Unavailable); deleted orders will be retried at the next run.")  # fmt: skip
                    elif blocked == "authorization_expired" or (c.events.get(r - 1, ("",))[0] == "authorization"):
                        status = "failed"
                        message = (f"Authorization for {schema.PLATFORM_NAMES[c.platform]} expired; reconnect the integration. "
                                   f"{failed} documents failed.")  # fmt: skip
                    elif failed:
                        message = f"{failed} of {processed + failed} documents failed."
                    duration = 20 + 2 * (processed + failed) + rng.randrange(40)
                    end = start + timedelta(seconds=duration)
                    finished = _iso(end)
                    if end > self.now:  # still running at the generator's clock
                        status, finished, message = "running", "", ""
                    self.w["job_runs"]((c.code, job, _iso(start), finished, status,
                                        processed, failed, message))  # fmt: skip



def seed_mix(seed: int, index: int) -> int:
    """A per-center seed: centers draw from their own stream, so one center's data does not shift another's."""
    return (seed * 1_000_003 + index * 7_919 + 17) & 0xFFFF_FFFF_FFFF


# ---------------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------------
def generate_bundle(out: Path, centers: int = 24, days: int = 400, seed: int = 42, end_date: date | None = None,
                    progress: bool = False, now: datetime | None = None) -> Path:  # fmt: skip
    """Write a demo bundle: <out>/<entity>.csv for every entity of syncstatus.bundle, header first.

    `now` (naive UTC, default: the clock) is the moment the bundle is generated: no date in it lies after `now`
    (job runs due later are not written; one still going at `now` is `running`). `end_date` (the last sync date)
    defaults to yesterday (UTC). Deterministic: the same arguments give byte-identical files once `now` is past the
    morning after `end_date` (or given). Returns `out`.
    """
    out = Path(out)
    if now is None:
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if end_date is None:
        end_date = now.date() - timedelta(days=1)
    _Generator(out, centers, days, seed, end_date, progress, now).run()
    return out


def build_demo_database(database_url: str, force: bool = False) -> None:
    """Create the demo database for `make run` (skipped when it already holds data, unless force)."""
    import sqlalchemy as sa

    from syncstatus import db

    engine = db.create_db_engine(database_url)
    where = db.describe_url(database_url)
    try:
        if not force and _has_documents(engine):
            print(f"demo database already built at {where}", flush=True)
            return
        url = sa.engine.make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            path = Path(url.database)
            path.parent.mkdir(parents=True, exist_ok=True)
            if force and path.exists():
                engine.dispose()
                for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                    p.unlink(missing_ok=True)
                engine = db.create_db_engine(database_url)
        from syncstatus import ingest

        t0 = time.monotonic()
        centers, days = DEMO_DEFAULTS["centers"], DEMO_DEFAULTS["days"]
        print(f"1/3 generating demo bundle ({centers} centers, {days} days)…", flush=True)
        with tempfile.TemporaryDirectory(prefix="syncstatus-demo-") as tmp:
            generate_bundle(Path(tmp), progress=True, **DEMO_DEFAULTS)
            print(f"    written in {time.monotonic() - t0:.0f} s", flush=True)
            db.upgrade(engine)
            print(f"2/3 importing into {where}…", flush=True)
            summary = ingest.import_bundle(engine, Path(tmp), progress=True)
        described = summary.describe() if hasattr(summary, "describe") else str(summary)
        print(f"    {described}", flush=True)
        with engine.begin() as conn:
            t = schema.app_setting
            found = conn.execute(sa.select(t.c.key).where(t.c.key == "demo")).first()
            if found:
                conn.execute(t.update().where(t.c.key == "demo").values(value="true"))
            else:
                conn.execute(t.insert().values(key="demo", value="true"))
        try:
            from syncstatus.access import create_demo_users
        except ImportError:
            create_demo_users = None
        if create_demo_users is not None:
            users = create_demo_users(engine) or []
            if users:
                print("    demo users (username / password — role, scope):", flush=True)
                for user in users:
                    username, password, role, scope = user
                    print(f"      {username} / {password} — {role}, {scope}", flush=True)
        with engine.connect() as conn:
            n_docs = conn.execute(sa.select(sa.func.count()).select_from(schema.sync_document)).scalar() or 0
        print(f"3/3 done in {time.monotonic() - t0:.0f} s: {n_docs:,} documents", flush=True)
    finally:
        engine.dispose()


def _has_documents(engine) -> bool:
    import sqlalchemy as sa

    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or not Path(url.database).exists():
            return False
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("sync_document"):
                return False
            return conn.execute(sa.select(schema.sync_document.c.id).limit(1)).first() is not None
    except sa.exc.OperationalError:
        return False
