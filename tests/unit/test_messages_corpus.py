"""The response parser against the shared corpus of real payloads (../shared/corpus, outside the project).

The corpus is not copied into the project: when it is absent these tests skip with the reason, except
under CI=true, where a skip would hide a gap and is a failure instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syncstatus.messages import CATEGORIES, SUCCESS, parse_response

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "payloads"
EXPECTED = CORPUS / "EXPECTED.tsv"


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true forbids skipping: {reason}")
    pytest.skip(reason)


def _rows() -> list:
    if not EXPECTED.is_file():
        return [pytest.param(None, id="corpus-missing")]
    lines = EXPECTED.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]
    return [pytest.param(row, id=row["file"]) for row in rows]


@pytest.mark.parametrize("row", _rows())
def test_corpus_payload_is_classified_as_a_person_would(row):
    if row is None:
        _skip_or_fail(f"shared corpus not found at {CORPUS}")
    assert row["expected_category"] in (*CATEGORIES, SUCCESS), "EXPECTED.tsv uses an unknown category name"
    parsed = parse_response((CORPUS / row["file"]).read_bytes())
    assert parsed.category == row["expected_category"], parsed.summary()
    if row["expected_code"]:
        assert str(parsed.code) == row["expected_code"]
    assert parsed.platform == row["platform"]
    # the platform hint must not change the verdict
    assert parse_response((CORPUS / row["file"]).read_bytes(), platform=row["platform"]).category == parsed.category


def test_every_corpus_payload_has_an_expected_row():
    if not EXPECTED.is_file():
        _skip_or_fail(f"shared corpus not found at {CORPUS}")
    listed = {line.split("\t")[0] for line in EXPECTED.read_text(encoding="utf-8").splitlines()[1:] if line.strip()}
    present = {p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "EXPECTED.tsv"}
    assert listed == present
    assert len(listed) >= 40
