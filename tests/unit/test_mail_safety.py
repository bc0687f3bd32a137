"""Addresses are validated strictly, subjects are one line, and no user text can add a header."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pandas as pd
import pytest

from syncstatus import mail


@pytest.mark.parametrize("address", ["ana@example.com", "first.last+tag@sub.example.co.uk", "O'Neil@example.ie"])
def test_ordinary_addresses_are_accepted(address):
    assert mail.validate_address(address).lower() == address.lower()


@pytest.mark.parametrize("address", [
    "", "ana", "ana@", "@example.com", "ana@example", "ana@@example.com", "ana example@example.com",
    "Ana <ana@example.com>", "ana@example.com\r\nBcc: evil@example.com", "ana@example.com\nX: y",
    "ana@exa_mple.com", "ana..b@example.com", ".ana@example.com", "ana@-example.com", "a" * 65 + "@example.com",
    "ana@example.com,evil@example.com",
])
def test_bad_or_dangerous_addresses_are_rejected(address):
    with pytest.raises(mail.InvalidAddress):
        mail.validate_address(address)


def test_a_list_of_recipients_names_every_bad_entry_in_one_clear_message():
    with pytest.raises(mail.InvalidAddress) as err:
        mail.parse_recipients("good@example.com, nope, also@bad")
    text = str(err.value)
    assert "'nope'" in text and "'also@bad'" in text and "good@example.com" not in text
    assert "name@example.com" in text


def test_recipients_split_on_commas_semicolons_and_lines_and_drop_duplicates():
    assert mail.parse_recipients("a@example.com;b@example.com\nA@EXAMPLE.com, c@example.com") == [
        "a@example.com", "b@example.com", "c@example.com"]


def test_no_recipients_is_a_clear_error():
    with pytest.raises(mail.InvalidAddress, match="at least one"):
        mail.parse_recipients("  ,  ")


@pytest.mark.parametrize("subject", ["Report\r\nBcc: evil@example.com", "Report\nBcc: evil@example.com",
                                     "Report\rBcc: evil@example.com", "Report\x00\x85\u2028Bcc: evil@example.com"])
def test_subjects_lose_line_breaks_so_no_header_can_be_injected(subject):
    cleaned = mail.clean_subject(subject)
    assert "\r" not in cleaned and "\n" not in cleaned and "\u2028" not in cleaned
    msg = mail.build_message("from@example.com", ["to@example.com"], subject, "<p>x</p>", "x")
    parsed = message_from_bytes(bytes(msg), policy=policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"].startswith("Report")
    assert "evil@example.com" in parsed["Subject"]  # kept as harmless text inside the one subject line
    assert parsed.get_all("To") == ["to@example.com"]


def test_a_message_cannot_be_built_for_an_injected_recipient():
    with pytest.raises(mail.InvalidAddress):
        mail.build_message("from@example.com", ["to@example.com\r\nBcc: evil@example.com"], "s", "<p/>", "t")


def test_attachment_names_cannot_carry_paths_or_header_text():
    msg = mail.build_message("from@example.com", ["to@example.com"], "s", "<p/>", "t",
                             [mail.Attachment("../../etc/x\r\n.csv", b"a,b\n", "text/csv")])
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names == [".._.._etc_x__.csv"]


def test_smtp_urls_are_parsed_with_credentials_and_defaults():
    c = mail.parse_smtp_url("smtp://user%40corp:p%40ss@mail.example.com:587")
    assert (c.host, c.port, c.ssl, c.username, c.password) == ("mail.example.com", 587, False, "user@corp", "p@ss")
    s = mail.parse_smtp_url("smtps://mail.example.com")
    assert (s.port, s.ssl, s.username) == (465, True, None)
    with pytest.raises(mail.MailError, match="smtp://"):
        mail.parse_smtp_url("http://mail.example.com")


def test_without_smtp_url_messages_are_written_to_the_outbox(tmp_path: Path):
    msg = mail.build_message("from@example.com", ["to@example.com"], "Hello", "<p>hi</p>", "hi",
                             [mail.Attachment("r.csv", b"a\n1\n", "text/csv")])
    outcome = mail.OutboxTransport(tmp_path / "outbox").send(msg)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1 and str(files[0]) in outcome
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Hello"
    assert [a.get_filename() for a in parsed.iter_attachments()] == ["r.csv"]


def test_html_tables_escape_cell_text():
    html = mail._html_table(pd.DataFrame({"Center <b>": ["<script>alert(1)</script>"], "n": [1234]}))
    assert "<script>" not in html and "&lt;script&gt;" in html and "Center &lt;b&gt;" in html
    assert "1,234" in html


def test_the_recipient_domain_allow_list_setting_is_read_from_the_environment(monkeypatch):
    from syncstatus.config import ConfigError, load_settings

    monkeypatch.setenv("MAIL_ALLOWED_DOMAINS", " Example.com, @corp.example.org ;example.com")
    assert load_settings().mail_allowed_domains == ("example.com", "corp.example.org")
    monkeypatch.setenv("MAIL_ALLOWED_DOMAINS", "example.com, not a domain")
    with pytest.raises(ConfigError, match="MAIL_ALLOWED_DOMAINS"):
        load_settings()
    monkeypatch.delenv("MAIL_ALLOWED_DOMAINS")
    monkeypatch.delenv("MAIL_RATE_LIMIT_PER_HOUR", raising=False)
    assert load_settings().mail_allowed_domains == () and load_settings().mail_rate_limit_per_hour == 100
    assert mail.domain_refusal("a@anything.test", ()) is None
