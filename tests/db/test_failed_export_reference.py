"""The failed-documents export names the key a message names (issue 21 item 8), on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.db.test_report_rules import FILES, MARCH


def test_the_failed_documents_export_names_the_key_the_message_names(engine, tmp_path):
    import sqlalchemy as sa

    from syncstatus import ingest
    from syncstatus.reports import documents
    from syncstatus.reports.filters import center_directory
    from syncstatus.schema import sync_document
    from tests.db.test_report_rules import write_bundle

    files = {**FILES, "documents.csv": FILES["documents.csv"].replace(
        "C1,invoice,A-2,2024-03-02,1.00,failed,,1,2024-03-02T10:00:00Z,,boom",
        "C1,invoice,A-2,2024-03-02,1.00,failed,,1,2024-03-02T10:00:00Z,,Invalid Account Reference Key 4200")}
    summary = ingest.import_bundle(engine, write_bundle(tmp_path / "b", files), rejections_dir=tmp_path / "rej")
    assert summary.status == "succeeded", summary.error
    ids = tuple(int(x) for x in center_directory(engine, tuple(range(1, 10)))["center_id"])
    got = documents.failed_documents(engine, ids, MARCH).set_index("Number")
    assert got.loc["A-2", "Reference"] == "4200"          # parsed on import
    with engine.begin() as conn:                          # a row imported before the rule knew the wording
        conn.execute(sa.update(sync_document).where(sync_document.c.document_no == "A-2").values(reference=None))
    got = documents.failed_documents(engine, ids, MARCH).set_index("Number")
    assert got.loc["A-2", "Reference"] == "4200"
    assert got.loc["SUM-C", "Reference"] == ""
