"""Every query over center data takes :center_ids, or says on its first line why it does not.

A file touches center data when it names a table of schema.CENTER_TABLES (as a whole word, any case) or
the `center` table after FROM / JOIN / INTO / UPDATE or in a FROM list. Such a file must bind
`:center_ids` outside comments, unless its first line is `-- no-center-scope: <reason>` (ingest and rollup
maintenance, the queries that compute a viewer's centers).
"""

from __future__ import annotations

import re
from pathlib import Path

from syncstatus.schema import CENTER_TABLES
from syncstatus.sql import QUERIES_DIR

MARKER = re.compile(r"^--\s*no-center-scope:\s*\S")
CENTER_TABLE_WORD = re.compile(r"\b(?:" + "|".join(CENTER_TABLES) + r")\b", re.IGNORECASE)
CENTER_TABLE_CLAUSE = re.compile(r"(?:\b(?:from|join|into|update)\s+|,\s*)center\b(?!\s*\()", re.IGNORECASE)
CENTER_IDS_BIND = re.compile(r"(?<![:\w]):center_ids\b")
LINE_COMMENT = re.compile(r"--[^\n]*")
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
STRING = re.compile(r"'(?:[^']|'')*'")
BIND = re.compile(r"(?<![:\w]):(\w+)(?!:)")


def code_of(sql_text: str) -> str:
    """The SQL without comments and string literals: what the database would actually run against."""
    return STRING.sub("''", LINE_COMMENT.sub("", BLOCK_COMMENT.sub("", sql_text)))


def touches_center_data(sql_text: str) -> bool:
    code = code_of(sql_text)
    return bool(CENTER_TABLE_WORD.search(code) or CENTER_TABLE_CLAUSE.search(code))


def scope_problem(path: Path) -> str | None:
    """Why this query file breaks the rule, or None when it keeps it."""
    text = path.read_text(encoding="utf-8")
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if MARKER.match(first_line) or not touches_center_data(text):
        return None
    if CENTER_IDS_BIND.search(code_of(text)):
        return None
    if first_line.lstrip().lower().startswith("-- no-center-scope"):
        return f"{path.name}: its no-center-scope marker gives no reason"
    return f"{path.name}: touches center data without :center_ids (or a first-line '-- no-center-scope: reason')"


def unscoped_queries(directory: Path) -> list[str]:
    return [p for p in (scope_problem(f) for f in sorted(directory.glob("*.sql"))) if p]


def test_every_query_over_center_data_is_scoped_or_says_why_not():
    problems = unscoped_queries(QUERIES_DIR)
    assert problems == [], "\n".join(problems)


def test_the_admin_all_centers_lookup_carries_the_marker():
    assert MARKER.match((QUERIES_DIR / "access_all_centers.sql").read_text().splitlines()[0])


def test_binds_named_only_in_comments_would_be_demanded_as_parameters():
    # text() reads ':name' inside a comment as a parameter, so a comment may only name binds the code uses.
    problems = []
    for path in sorted(QUERIES_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        in_code = set(BIND.findall(code_of(text)))
        in_comments = set(BIND.findall(" ".join(LINE_COMMENT.findall(text) + BLOCK_COMMENT.findall(text))))
        problems += [f"{path.name}: comment names :{b}, which the statement does not bind" for b in in_comments - in_code]
    assert problems == [], "\n".join(problems)


# --- the guard itself ---------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_guard_catches_a_query_that_forgets_center_ids(tmp_path):
    write(tmp_path, "leaky.sql", "-- Failed documents.\nSELECT count(*) FROM Sync_Document WHERE status = 'failed'\n")
    write(tmp_path, "fine.sql", "SELECT count(*) FROM sync_document WHERE center_id IN :center_ids\n")
    assert unscoped_queries(tmp_path) == [
        "leaky.sql: touches center data without :center_ids (or a first-line '-- no-center-scope: reason')"]


def test_the_guard_catches_the_center_table_itself(tmp_path):
    write(tmp_path, "a.sql", "SELECT c.name FROM zone z JOIN center c ON c.zone_id = z.id\n")
    write(tmp_path, "b.sql", "SELECT name FROM zone z, center c WHERE c.zone_id = z.id\n")
    write(tmp_path, "c.sql", "UPDATE center SET active = FALSE WHERE code = :code\n")
    write(tmp_path, "d.sql", "SELECT center_id, center_name FROM zone WHERE code = :code\n")  # only look-alike words
    assert [p.split(":")[0] for p in unscoped_queries(tmp_path)] == ["a.sql", "b.sql", "c.sql"]


def test_center_ids_in_a_comment_or_a_string_does_not_count(tmp_path):
    write(tmp_path, "comment.sql", "-- filtered by :center_ids later\nSELECT * FROM sync_daily\n")
    write(tmp_path, "string.sql", "SELECT ':center_ids' AS x FROM sync_daily\n")
    write(tmp_path, "table_in_comment_only.sql", "-- unlike sync_daily, zones hold no center data\nSELECT * FROM zone\n")
    assert [p.split(":")[0] for p in unscoped_queries(tmp_path)] == ["comment.sql", "string.sql"]


def test_the_marker_needs_a_reason_and_the_first_line(tmp_path):
    write(tmp_path, "reasoned.sql", "-- no-center-scope: rollup rebuild of every center\nDELETE FROM sync_daily\n")
    write(tmp_path, "bare.sql", "-- no-center-scope:\nDELETE FROM sync_daily\n")
    write(tmp_path, "late.sql", "-- Rollup.\n-- no-center-scope: too late\nDELETE FROM sync_daily\n")
    assert unscoped_queries(tmp_path) == [
        "bare.sql: its no-center-scope marker gives no reason",
        "late.sql: touches center data without :center_ids (or a first-line '-- no-center-scope: reason')"]
