"""The demo bundle imports cleanly (nothing rejected) and a second import changes nothing, on both databases."""

from __future__ import annotations

import csv
from datetime import date

import sqlalchemy as sa

from syncstatus import bundle, demo, ingest, schema


def _rows(path) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def test_demo_bundle_imports_without_rejections_and_reimports_unchanged(engine, tmp_path):
    out = demo.generate_bundle(tmp_path / "bundle", centers=4, days=21, seed=11, end_date=date(2026, 3, 31))
    expected = {name: _rows(out / f"{name}.csv") for name in bundle.ENTITY_ORDER}

    first = ingest.import_bundle(engine, out)
    assert first.status == "succeeded", first.describe()
    assert first.rejected == 0, first.describe()
    assert first.read == first.loaded == sum(expected.values())

    with engine.connect() as conn:
        for name, n in expected.items():
            table = schema.metadata.tables[bundle.ENTITIES[name].table]
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == n, name
        categories = set(conn.execute(
            sa.select(schema.sync_document.c.category).where(schema.sync_document.c.status == "failed")
        ).scalars())  # fmt: skip
    assert {"reference_inactive_or_deleted", "mapping_missing", "platform_unavailable"} <= categories

    second = ingest.import_bundle(engine, out)
    assert second.status == "succeeded", second.describe()
    assert second.rejected == 0 and second.loaded == 0 and second.updated == 0, second.describe()
    assert second.unchanged == second.read == first.read


def test_build_demo_database_skips_a_database_that_has_data(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    small = dict(centers=2, days=5, seed=3)
    monkeypatch.setattr(demo, "DEMO_DEFAULTS", small)
    demo.build_demo_database(url)
    text = capsys.readouterr().out
    assert "1/3 generating demo bundle (2 centers, 5 days)" in text and "3/3 done in" in text
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        n_docs = conn.execute(sa.select(sa.func.count()).select_from(schema.sync_document)).scalar()
        demo_flag = conn.execute(
            sa.select(schema.app_setting.c.value).where(schema.app_setting.c.key == "demo")
        ).scalar()  # fmt: skip
    eng.dispose()
    assert n_docs > 0 and demo_flag == "true"
    assert f"{n_docs:,} documents" in text

    demo.build_demo_database(url)
    assert "demo database already built at" in capsys.readouterr().out

    demo.build_demo_database(url, force=True)
    assert "3/3 done in" in capsys.readouterr().out
