"""Tests for syncstatus.messages: realistic payloads of every shape, plus never-raise properties."""

from __future__ import annotations

import codecs
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncstatus.messages import (
    _REF_HINTS,
    _WHAT,
    CATEGORIES,
    CATEGORY_LABELS,
    CODE_TABLES,
    FIX_HINTS,
    RETRYABLE,
    SUCCESS,
    ParsedResponse,
    parse_response,
)

ANY = object()  # "don't care" in the payload table

QBO_NS = 'xmlns="http://schema.intuit.com/finance/v3"'
SOAP = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{}</soapenv:Body></soapenv:Envelope>'
)
NS_CORE = 'xmlns:platformCore="urn:core_2023_1.platform.webservices.netsuite.com"'


def qbo_fault(code, message, detail, element="", fault_type="ValidationFault"):
    error = {"Message": message, "Detail": detail, "code": code, "element": element}
    return json.dumps({"Fault": {"Error": [error], "type": fault_type}, "time": "2024-05-02T09:12:44.118-07:00"})


def xero_exception(*messages):
    element = {"Type": "ACCREC", "InvoiceNumber": "ORG-1001", "ValidationErrors": [{"Message": m} for m in messages]}
    return json.dumps(
        {"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
         "Elements": [element]}  # fmt: skip
    )


def intacct(errorno, description, description2="", correction="", where="result"):
    error = (
        f"<errormessage><error><errorno>{errorno}</errorno><description>{description}</description>"
        f"<description2>{description2}</description2><correction>{correction}</correction></error></errormessage>"
    )
    if where == "control":
        return f'<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status></control>{error}</response>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control><operation>'
        "<authentication><status>success</status><userid>xml_gateway</userid></authentication><result>"
        f"<status>failure</status><function>create</function><controlid>inv-77</controlid>{error}</result>"
        "</operation></response>"
    )


def netsuite_status(code, message):
    return SOAP.format(
        '<addResponse xmlns="urn:messages_2023_1.platform.webservices.netsuite.com"><writeResponse>'
        f'<platformCore:status {NS_CORE} isSuccess="false"><platformCore:statusDetail type="ERROR">'
        f"<platformCore:code>{code}</platformCore:code><platformCore:message>{message}</platformCore:message>"
        "</platformCore:statusDetail></platformCore:status></writeResponse></addResponse>"
    )


# (id, raw, platform hint, expected platform, code, category, reference, external_ref)
CASES = [
    ("connector-451-name-did-not-match-mapped-value",
     '{"response":{"code":"451","message":"Name \'MasterCard\' didn\'t match with mapped value.",'
     '"fields":"journalPaymentAccounts","data":[]}}',
     None, "connector", "451", "mapping_missing", "MasterCard", None),
    ("connector-451-without-a-quoted-name-names-the-field",
     '{"response":{"code":"451","message":"Item didn\'t match with mapped value.","fields":"journalItemAccounts"}}',
     None, "connector", "451", "mapping_missing", "journalItemAccounts", None),
    ("connector-plain-text-add-credit-or-debit-account",
     "Please add credit or debit account.", None, "connector", None, "mapping_missing", None, None),
    ("qbo-6140-duplicate-document-number",
     qbo_fault("6140", "Duplicate Document Number Error", "Duplicate Document Number Error : You must specify a "
               "different number. This number has already been used. DocNumber=S-0412 is assigned to TxnType=Invoice"),
     None, "qbo", "6140", "duplicate", None, None),
    ("qbo-610-made-inactive-ignores-apostrophes-as-quotes",
     qbo_fault("610", "Object Not Found", "Object Not Found : Something you're trying to use has been made "
               "inactive. Check the fields with accounts, customers, items, vendors or employees."),
     None, "qbo", "610", "reference_inactive_or_deleted", None, None),
    ("qbo-2500-invalid-reference-id-names-the-element",
     qbo_fault("2500", "Invalid Reference Id", "Invalid Reference Id : Item assigned to this line is no longer "
               "available", element="Line.SalesItemLineDetail.ItemRef"),
     None, "qbo", "2500", "reference_inactive_or_deleted", "Line.SalesItemLineDetail.ItemRef", None),
    ("qbo-5010-stale-object-xml-namespaced",
     f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse {QBO_NS} time="2024-05-02T10:01:02">'
     '<Fault type="ValidationFault"><Error code="5010" element=""><Message>Stale Object Error</Message><Detail>'
     "Stale Object Error : You and Jane Doe were working on this at the same time. Jane Doe finished before you"
     " did, so your work was not saved.</Detail></Error></Fault></IntuitResponse>",
     None, "qbo", "5010", "stale_object", None, None),
    ("qbo-6210-account-period-closed",
     qbo_fault("6210", "Account Period Closed", "The account period has closed and the books are locked"),
     None, "qbo", "6210", "period_locked", None, None),
    ("qbo-6000-business-validation-falls-back-to-the-code",
     qbo_fault("6000", "A business validation error has occurred while processing your request",
               "Business Validation Error: You must select a customer for this transaction."),
     None, "qbo", "6000", "validation", None, None),
    ("qbo-6000-whose-text-says-inactive-is-a-reference-problem",
     qbo_fault("6000", "A business validation error has occurred while processing your request",
               "Business Validation Error: The item 'Gel Manicure' is inactive."),
     None, "qbo", "6000", "reference_inactive_or_deleted", "Gel Manicure", None),
    ("qbo-6540-deposited-transaction",
     qbo_fault("6540", "Deposited Transaction cannot be changed",
               "This transaction has been deposited. If you want to change or delete it, you must edit the "
               "deposit it appears on and remove it first."),
     None, "qbo", "6540", "document_state", None, None),
    ("qbo-6190-invalid-company-status",
     qbo_fault("6190", "Invalid Company Status", "Subscription period has ended or canceled or there was a "
               "billing problem : You can't add data to QuickBooks Online Plus because your trial or "
               "subscription period ended"),
     None, "qbo", "6190", "subscription", None, None),
    ("qbo-100-lower-case-authentication-fault",
     '{"warnings":null,"fault":{"error":[{"message":"message=General Authentication Error; errorCode=000100; '
     'statusCode=401","detail":"General Authentication Error","code":"100"}],"type":"AUTHENTICATION"},'
     '"time":1714666000000}',
     None, "qbo", "100", "authorization", None, None),
    ("qbo-3100-application-authorization-failed-xml",
     f'<IntuitResponse {QBO_NS}><Fault type="AUTHENTICATION"><Error code="3100"><Message>message='
     "ApplicationAuthorizationFailed; errorCode=003100; statusCode=403</Message><Detail>SignatureBaseString: "
     "GET&amp;https%3A%2F%2Fquickbooks.api.intuit.com</Detail></Error></Fault></IntuitResponse>",
     None, "qbo", "3100", "authorization", None, None),
    ("qbo-3001-throttle-exceeded-json",
     qbo_fault("3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429",
               "The request limit was reached.", fault_type="SERVICE"),
     None, "qbo", "3001", "rate_limit", None, None),
    ("qbo-10000-system-failure",
     qbo_fault("10000", "An application error has occurred while processing your request",
               "System Failure Error: An unexpected error occurred while accessing or saving your data.",
               fault_type="SystemFault"),
     None, "qbo", "10000", "platform_unavailable", None, None),
    ("qbo-fault-nested-in-a-batch-response",
     '{"BatchItemResponse":[{"bId":"bid1","Fault":{"type":"ValidationFault","Error":[{"Message":'
     '"Duplicate Document Number Error","code":"6140"}]}}],"time":"2024-05-02T09:00:00.000-07:00"}',
     None, "qbo", "6140", "duplicate", None, None),
    ("qbo-invoice-created-json",
     '{"Invoice":{"Id":"130","SyncToken":"0","DocNumber":"S-0413","TotalAmt":85.0},"time":"2024-05-02T09:00:00Z"}',
     None, "qbo", None, SUCCESS, None, "130"),
    ("qbo-sales-receipt-created-xml",
     f'<IntuitResponse {QBO_NS} time="2024-05-02"><SalesReceipt domain="QBO"><Id>145</Id><SyncToken>0</SyncToken>'
     "<DocNumber>1001</DocNumber></SalesReceipt></IntuitResponse>",
     None, "qbo", None, SUCCESS, None, "145"),
    ("xero-account-code-archived-or-deleted",
     xero_exception("Account code '200' has been archived, or has been deleted. Each line item must reference "
                    "a valid account."),
     None, "xero", "10", "reference_inactive_or_deleted", "200", None),
    ("xero-lock-date",
     xero_exception("The document date cannot be before the end of year lock date, currently set at 31 Mar 2024."),
     None, "xero", "10", "period_locked", None, None),
    ("xero-payment-against-draft-invoice-xml",
     '<ApiException xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><ErrorNumber>10</ErrorNumber>'
     "<Type>ValidationException</Type><Message>A validation exception occurred</Message><Elements>"
     '<DataContractBase xsi:type="Payment"><ValidationErrors><ValidationError><Message>Payments can only be made '
     "against Authorised documents.</Message></ValidationError></ValidationErrors></DataContractBase></Elements>"
     "</ApiException>",
     None, "xero", "10", "document_state", None, None),
    ("xero-invoice-number-must-be-unique",
     xero_exception("This invoice number must be unique."), None, "xero", "10", "duplicate", None, None),
    ("xero-debits-must-equal-credits-in-an-ok-envelope",
     '{"Id":"0c2b","Status":"OK","ProviderName":"POS","ManualJournals":[{"ManualJournalID":"7d1e",'
     '"ValidationErrors":[{"Message":"The total debits (120.00) must equal total credits (-100.00)"}]}]}',
     None, "xero", None, "validation", None, None),
    ("xero-401-lower-case-problem-body",
     '{"title":"Unauthorized","status":401,"detail":"AuthenticationUnsuccessful",'
     '"instance":"5f4a1c2e-9b1e-4a57-8a0c-0d5b1c3b2a11"}',
     None, "xero", "401", "authorization", None, None),
    ("xero-429-plain-text-with-retry-after-and-a-hint",
     "Rate limit hit: 60 calls per minute. Retry-After: 37", "xero", "xero", None, "rate_limit", None, None),
    ("xero-oauth1-signature-invalid-form-encoded",
     "oauth_problem=signature_invalid&oauth_problem_advice=Failed%20to%20validate%20signature",
     None, "xero", "signature_invalid", "authorization", None, None),
    ("xero-payment-created-xml",
     "<Response><Id>a1</Id><Status>OK</Status><Payments><Payment><PaymentID>b7a2c5e0-1111-4c3a-9f00-3d2e1a0b9c8d"
     "</PaymentID><Amount>85.00</Amount></Payment></Payments></Response>",
     None, "xero", None, SUCCESS, None, "b7a2c5e0-1111-4c3a-9f00-3d2e1a0b9c8d"),
    ("xero-invoice-created-json-with-a-warning",
     '{"Id":"c1","Status":"OK","Invoices":[{"InvoiceID":"f00d-42","InvoiceNumber":"INV-0042","ValidationErrors":[],'
     '"Warnings":[{"Message":"Account code \'476\' has been removed as it does not match a recognised account."}]}]}',
     None, "xero", None, SUCCESS, None, "f00d-42"),
    ("oauth-invalid-grant-with-a-platform-hint",
     '{"error":"invalid_grant","error_description":"Token has been expired or revoked."}',
     "qbo", "qbo", "invalid_grant", "authorization", None, None),
    ("oauth-invalid-client-without-a-hint-has-no-platform",
     '{"error":"invalid_client"}', None, None, "invalid_client", "authorization", None, None),
    ("intacct-credentials-error-in-control",
     intacct("XL03000006", "Incorrect Intacct XML Partner ID or password.", where="control"),
     None, "intacct", "XL03000006", "authorization", None, None),
    ("intacct-inactive-customer-in-result",
     intacct("BL34000061", "Could not create Invoice record!", "Customer 'C-1007' is inactive.",
             "Use an active customer."),
     None, "intacct", "BL34000061", "reference_inactive_or_deleted", "C-1007", None),
    ("intacct-closed-period",
     intacct("BL03000130", "Could not create Invoice record!", "Cannot post to a closed period. The GL books "
             "are closed through 03/31/2024."),
     None, "intacct", "BL03000130", "period_locked", None, None),
    ("intacct-created-record-number",
     '<response><control><status>success</status></control><operation><result><status>success</status>'
     '<function>create</function><data listtype="objects" count="1"><arinvoice><RECORDNO>4711</RECORDNO>'
     "</arinvoice></data></result></operation></response>",
     None, "intacct", None, SUCCESS, None, "4711"),
    ("netsuite-invalid-key-or-ref-soap",
     netsuite_status("INVALID_KEY_OR_REF", "Invalid account reference key 215 for subsidiary 3."),
     None, "netsuite", "INVALID_KEY_OR_REF", "reference_inactive_or_deleted", "215", None),  # the key it names
    ("netsuite-plain-text-invalid-key-or-ref",
     "INVALID_KEY_OR_REF - Invalid Account Reference Key", None, "netsuite", "INVALID_KEY_OR_REF",
     "reference_inactive_or_deleted", None, None),
    ("netsuite-request-limit-fault",
     SOAP.format('<soapenv:Fault><faultcode>soapenv:Server.userException</faultcode><faultstring>Request '
                 'blocked</faultstring><detail><platformFaults:exceededRequestLimitFault xmlns:platformFaults='
                 '"urn:faults_2023_1.platform.webservices.netsuite.com"><platformFaults:code>WS_REQUEST_BLOCKED'
                 "</platformFaults:code><platformFaults:message>Exceeded request limit, please try again later."
                 "</platformFaults:message></platformFaults:exceededRequestLimitFault></detail></soapenv:Fault>"),
     None, "netsuite", "WS_REQUEST_BLOCKED", "rate_limit", None, None),
    ("netsuite-fragment-with-unbound-prefixes",
     '<platformCore:statusDetail type="ERROR"><platformCore:code>INVALID_FLD_VALUE</platformCore:code>'
     "<platformCore:message>You have entered an Invalid Field Value 12 for the following field: account"
     "</platformCore:message></platformCore:statusDetail>",
     None, "netsuite", "INVALID_FLD_VALUE", "validation", None, None),
    ("netsuite-invoice-added",
     SOAP.format(f'<addResponse><writeResponse><platformCore:status {NS_CORE} isSuccess="true"/>'
                 f'<baseRef {NS_CORE} internalId="5150" type="invoice" xsi:type="platformCore:RecordRef"/>'
                 "</writeResponse></addResponse>"),
     None, "netsuite", None, SUCCESS, None, "5150"),
    ("html-503-error-page-with-a-hint",
     "<!DOCTYPE html><html><head><title>503 Service Unavailable</title><style>h1{}</style></head><body>"
     "<h1>Service Unavailable</h1><p>Please try again later.</p></body></html>",
     "xero", "xero", "503", "platform_unavailable", None, None),
    ("truncated-qbo-json-keeps-the-text",
     '{"Fault":{"Error":[{"Message":"Duplicate Document Number Error","Detail":"Duplicate Document Number Err',
     None, "qbo", None, "duplicate", None, None),
    ("truncated-intacct-xml-keeps-the-error",
     intacct("PL04000055", "", "This company is a demo company and has expired.", where="control")[:-40],
     None, "intacct", "PL04000055", "subscription", None, None),
    ("double-encoded-json-string",
     json.dumps(qbo_fault("6210", "Account Period Closed", "Cannot update a closed period.")),
     None, "qbo", "6210", "period_locked", None, None),
    ("json-behind-an-http-status-prefix",
     "400 Bad Request: " + xero_exception("Contact 'Walk-in Guest' could not be found."),
     None, "xero", "10", "reference_inactive_or_deleted", "Walk-in Guest", None),
    ("http-status-line-only",
     "429 Too Many Requests", None, None, "429", "rate_limit", None, None),
    ("plain-text-mapping-named-in-quotes",
     "Payment type 'Gift Card' is not mapped to a deposit account", None, None, None, "mapping_missing", "Gift Card",
     None),
    ("netsuite-plain-text-record-changed-meanwhile",
     "RCRD_HAS_BEEN_CHANGED - Record has been changed since you began editing it", None, "netsuite",
     "RCRD_HAS_BEEN_CHANGED", "stale_object", None, None),
    ("unrecognised-json-error-body-is-read-for-its-message",
     '{"status":"error","errors":[{"message":"Payment method Visa was deleted"}]}', "connector", "connector", None,
     "reference_inactive_or_deleted", None, None),
    ("plain-text-nobody-recognises",
     "The flux capacitor hiccuped", None, None, None, "unknown", None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "hint", "platform", "code", "category", "reference", "external_ref"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_realistic_payloads_are_structured_as_a_person_would(raw, hint, platform, code, category, reference,
                                                             external_ref):  # fmt: skip
    parsed = parse_response(raw, platform=hint)
    expected = {"platform": platform, "code": code, "category": category, "reference": reference,
                "external_ref": external_ref}  # fmt: skip
    actual = {name: getattr(parsed, name) for name in expected}
    assert actual == {k: (actual[k] if v is ANY else v) for k, v in expected.items()}, parsed.summary()
    assert parsed.message and len(parsed.message) <= 300
    assert parsed.retryable is RETRYABLE[category]
    assert parsed.fix_hint in _hints_for(category)


def _hints_for(category):
    """The category's hint, a code table's hint for that category, or a hint naming the kind of record."""
    hints = {FIX_HINTS[category]}
    hints |= {m.hint for table in CODE_TABLES.values() for m in table.values() if m.category == category and m.hint}
    hints |= {template.format(what) for template in [_REF_HINTS.get(category)] if template for what, _rx in _WHAT}
    return hints


def test_the_table_holds_at_least_thirty_distinct_payloads():
    assert len({case[1] for case in CASES}) >= 30


@pytest.mark.parametrize("raw", [None, "", b"", "   \n\t ", b"\xef\xbb\xbf"])
def test_missing_responses_read_no_response_recorded(raw):
    parsed = parse_response(raw)
    assert (parsed.category, parsed.message, parsed.success) == ("unknown", "No response recorded", False)


def test_unknown_text_keeps_the_first_300_characters_whitespace_collapsed():
    raw = "something   odd\n\nhappened " * 40
    parsed = parse_response(raw)
    assert parsed.category == "unknown" and parsed.raw == raw
    assert parsed.message.startswith("something odd happened something odd")
    assert len(parsed.message) <= 300 and "\n" not in parsed.message


def test_utf16_bytes_with_bom_and_xml_declaration_are_decoded():
    xml = (
        '<?xml version="1.0" encoding="utf-16"?><ApiException><ErrorNumber>10</ErrorNumber><Type>ValidationException'
        "</Type><Message>A validation exception occurred</Message><Elements><DataContractBase><ValidationErrors>"
        "<ValidationError><Message>Invoice # must be unique.</Message></ValidationError></ValidationErrors>"
        "</DataContractBase></Elements></ApiException>"
    )
    for data in (codecs.BOM_UTF16_LE + xml.encode("utf-16-le"), xml.encode("utf-16-le"), xml.encode("utf-16-be")):
        parsed = parse_response(data)
        assert (parsed.platform, parsed.code, parsed.category) == ("xero", "10", "duplicate")
        assert parsed.raw.lstrip("\ufeff") == xml


def test_bytes_that_are_not_utf8_are_read_as_windows_1252():
    parsed = parse_response(b"Account code 'Caf\xe9 Sales' has been archived, or has been deleted.")
    assert parsed.category == "reference_inactive_or_deleted"
    assert parsed.reference == "Café Sales"


def test_the_platform_hint_accepts_display_names_and_ignores_nonsense():
    assert parse_response("Something went sideways", platform="QuickBooks Online").platform == "qbo"
    assert parse_response("Something went sideways", platform="Sage Intacct").platform == "intacct"
    assert parse_response("Something went sideways", platform="myob-classic").platform is None


def test_a_structured_shape_wins_over_a_conflicting_hint():
    parsed = parse_response(qbo_fault("6140", "Duplicate Document Number Error", ""), platform="xero")
    assert (parsed.platform, parsed.category) == ("qbo", "duplicate")


def test_success_reads_synced_and_is_not_retryable():
    parsed = parse_response('{"Invoice":{"Id":"130","SyncToken":"0"},"time":"2024-05-02T09:00:00Z"}')
    assert parsed.success and parsed.label == "Synced" and not parsed.retryable
    assert parsed.summary().startswith("Synced (QBO):")


def test_summary_reads_label_platform_code_message_and_hint():
    parsed = parse_response(qbo_fault("6140", "Duplicate Document Number Error", ""))
    assert parsed.summary() == (
        "Duplicate document number (QBO 6140): Duplicate Document Number Error — use unique document numbers"
        " (e.g. a different number prefix per center), then resync"
    )


def test_qbo_message_adds_the_detail_only_when_it_says_more():
    parsed = parse_response(qbo_fault("6240", "Duplicate Name Exists Error", "The name supplied already exists. : null"))
    assert parsed.message == "Duplicate Name Exists Error: The name supplied already exists."
    same = parse_response(qbo_fault("6210", "Account Period Closed", "Account Period Closed"))
    assert same.message == "Account Period Closed"


def test_several_xero_validation_errors_show_the_first_and_a_count():
    parsed = parse_response(xero_exception("One or more line items must be specified", "A Contact must be specified"))
    assert parsed.message == "One or more line items must be specified (+1 more)"


def test_a_synced_xero_document_shows_its_warning():
    parsed = parse_response(CASES[[c[0] for c in CASES].index("xero-invoice-created-json-with-a-warning")][1])
    assert parsed.success and "warning: Account code '476' has been removed" in parsed.message


def test_text_wins_over_the_code_when_they_disagree():
    # code 6140 says duplicate, the text says the account was deleted
    parsed = parse_response(qbo_fault("6140", "Object Not Found", "The account Cash Drawer has been deleted"))
    assert parsed.category == "reference_inactive_or_deleted"


def test_the_result_is_immutable():
    parsed = parse_response("Please add credit or debit account.")
    with pytest.raises(AttributeError):
        parsed.category = "duplicate"  # type: ignore[misc]


def test_every_category_has_a_label_a_hint_and_a_retry_policy():
    for category in (*CATEGORIES, SUCCESS):
        assert CATEGORY_LABELS[category] and FIX_HINTS[category].endswith(".")
        assert isinstance(RETRYABLE[category], bool)
    assert {c for c in CATEGORIES if RETRYABLE[c]} == {"rate_limit", "platform_unavailable", "stale_object"}
    assert CATEGORY_LABELS["reference_inactive_or_deleted"] == "Account/item inactive or deleted"
    assert FIX_HINTS["reference_inactive_or_deleted"] == (
        "Re-activate the account in the accounting platform or map a different one, then resync."
    )


def test_a_five_megabyte_string_returns_a_parsed_response():
    started = time.monotonic()
    for raw in ("x" * 5_000_000, '{"Fault":{"Error":[{"Message":"' + "a" * 5_000_000, "<a>" * 1_700_000):
        assert isinstance(parse_response(raw), ParsedResponse)
    assert time.monotonic() - started < 60  # generous: only guards against runaway work


def _assert_well_formed(parsed):
    assert isinstance(parsed, ParsedResponse)
    assert parsed.category in CATEGORIES or parsed.category == SUCCESS
    assert isinstance(parsed.message, str) and parsed.message
    assert isinstance(parsed.raw, str)


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHAPE_KEYS = st.sampled_from(
    ["Fault", "fault", "Error", "error", "Message", "Detail", "code", "element", "type", "ErrorNumber", "Elements",
     "ValidationErrors", "Warnings", "response", "fields", "status", "title", "detail", "Invoices", "InvoiceID",
     "Invoice", "Id", "time", "error_description", "o:errorDetails", "ProviderName"]
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(SHAPE_KEYS | st.text(max_size=8), children,
                                                                      max_size=5),  # fmt: skip
    max_leaves=40,
)


@PROPERTY_SETTINGS
@given(st.binary(max_size=2_000), st.sampled_from([None, "qbo", "xero", "intacct", "netsuite", "connector"]))
def test_arbitrary_bytes_never_raise(data, hint):
    _assert_well_formed(parse_response(data, platform=hint))


@PROPERTY_SETTINGS
@given(st.text(max_size=2_000))
def test_arbitrary_text_never_raises(text):
    _assert_well_formed(parse_response(text))


@PROPERTY_SETTINGS
@given(JSON_VALUES)
def test_arbitrary_json_never_raises(value):
    _assert_well_formed(parse_response(json.dumps(value)))
    _assert_well_formed(parse_response(json.dumps(value).encode("utf-16")))


@PROPERTY_SETTINGS
@given(st.sampled_from([case[1] for case in CASES]), st.data())
def test_any_truncation_of_a_realistic_payload_never_raises(raw, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    _assert_well_formed(parse_response(raw[:cut]))
    _assert_well_formed(parse_response(raw[:cut].encode("utf-8")[: cut // 2 + 1]))


# --- XML with a DTD is refused, never stripped (issue #24, item 9) ---
_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]><lolz><Message>&lol9;</Message></lolz>"
)
_SPLIT_DOCTYPE = (
    '<!DOC<!DOCTYPE x>TYPE r [<!ENTITY a "' + "A" * 1000 + '"><!ENTITY b "' + "&a;" * 100 + '">]>'
    + "<Fault><Error code=\"6000\"><Message>" + "&b;" * 70 + "</Message></Error></Fault>"
)


@pytest.mark.parametrize("body", [_SPLIT_DOCTYPE, _LAUGHS, "400 Bad Request: " + _LAUGHS], ids=["split", "laughs", "prefixed"])
def test_xml_with_a_dtd_is_refused_unexpanded(body):
    parsed = parse_response(body, platform="qbo")
    assert parsed.category == "unknown"
    assert "DTD" in parsed.message and len(parsed.message) <= 300
    assert "AAAA" not in parsed.message and "lollol" not in parsed.message
    assert parsed.raw == body  # nothing grew


def test_the_split_doctype_payload_is_the_one_reported():
    assert _SPLIT_DOCTYPE.startswith("<!DOC<!DOCTYPE x>TYPE ")
    assert len(_SPLIT_DOCTYPE) < 12_000  # ~10 KB that expanded to ~7 MB before


# --- Issue #19: wrapped errors, exception dumps, codes before words, phrasing, hints ---
@pytest.mark.parametrize(("raw", "platform", "category", "code"), [
    pytest.param('{"message":"Bad Request","innerError":{"code":"6240","message":"Duplicate Name Exists Error"}}',
                 "qbo", "duplicate", "6240", id="hub-inner-error"),
    pytest.param('{"message":"Bad Request","providerMessage":"2500 - Invalid Reference Id - Invalid Reference Id : '
                 'Line.SalesItemLineDetail.ItemRef"}', "qbo", "reference_inactive_or_deleted", "2500",
                 id="hub-provider-message"),
    pytest.param('{"status":400,"detail":"{\\"Fault\\":{\\"Error\\":[{\\"Message\\":\\"Stale Object Error\\",'
                 '\\"code\\":\\"5010\\"}]}}"}', "qbo", "stale_object", "5010", id="json-escaped-in-detail"),
    pytest.param('{"message":"Bad Request","detail":"<IntuitResponse><Fault type=\\"ValidationFault\\"><Error code='
                 '\\"6140\\"><Message>Duplicate Document Number Error</Message></Error></Fault></IntuitResponse>"}',
                 "qbo", "duplicate", "6140", id="xml-escaped-in-detail"),
    pytest.param('{"ClassName":"Intuit.Ipp.Exception.IdsException","Message":"BadRequest","InnerException":{'
                 '"ClassName":"Intuit.Ipp.Exception.ValidationException","Message":"Account Period Closed, Cannot '
                 'Update Through Services API"},"errorCode":"6210"}', "qbo", "period_locked", "6210",
                 id="dotnet-exception-json"),
    pytest.param("java.lang.IllegalStateException: Duplicate Document Number Error\n\tat com.acme.Sync.post(Sync."
                 "java:12)\n\tat com.acme.Job.run(Job.java:3)", "qbo", "duplicate", None, id="java-stack-text"),
    pytest.param("{'code': 'DUP_RCRD', 'message': 'This record already exists'}", "netsuite", "duplicate", "DUP_RCRD",
                 id="python-dict-repr"),
    pytest.param('{"error":"invalid_grant","error_description":"Invalid refresh token"}', "qbo", "authorization",
                 "invalid_grant", id="oauth-code-decides-over-invalid"),
])  # fmt: skip
def test_wrapped_and_dumped_errors_are_read_for_the_platform_message_and_code(raw, platform, category, code):
    parsed = parse_response(raw, platform=platform)
    assert (parsed.category, parsed.code) == (category, code), parsed.summary()
    assert "ClassName" not in parsed.message and "Bad Request" not in parsed.message
    assert not any(mark in parsed.message for mark in ('{"', "{'", "<Fault", "\tat ", "java.lang"))


@pytest.mark.parametrize(("text", "category"), [
    ("The period has closed for this date", "period_locked"),
    ("Cannot post to a closed period", "period_locked"),
    ("The transaction falls in a locked period", "period_locked"),
    ("Your company is not subscribed to this feature", "subscription"),
    ("Please upgrade your plan to use multi-currency", "subscription"),
    ("The organisation is not subscribed to currency NZD", "validation"),
])  # fmt: skip
def test_phrasing_variants(text, category):
    assert parse_response(text, platform="xero").category == category


@pytest.mark.parametrize(("element", "what"), [("Line.SalesItemLineDetail.ItemRef", "item"),
                                               ("Line.JournalEntryLineDetail.AccountRef", "account")])
def test_an_invalid_reference_hint_names_the_kind_of_record(element, what):
    parsed = parse_response(qbo_fault("2500", "Invalid Reference Id", f"Invalid Reference Id : {element}", element))
    assert parsed.category == "reference_inactive_or_deleted"
    assert f"Re-activate the {what} " in parsed.fix_hint and f"another {what}," in parsed.fix_hint


def test_every_code_table_row_has_a_known_category_and_a_source():
    assert {"qbo", "xero", "intacct", "netsuite", "common"} <= set(CODE_TABLES)
    for table in CODE_TABLES.values():
        for meaning in table.values():
            assert meaning.category in CATEGORIES and meaning.source


def test_a_message_naming_the_key_gives_its_reference():
    from syncstatus.messages import reference_in

    assert reference_in("Invalid Account Reference Key 4200") == "4200"
    assert reference_in("Invalid reference id #A-77 on line 2") == "A-77"
    assert reference_in("Duplicate Document Number Error") is None
    assert reference_in(None) is None
