"""The query loader binds lists by how the SQL uses them: `IN :x` expands, `ANY(:x)` stays one array."""

import pytest

from syncstatus import sql


def test_a_list_used_with_in_is_expanded_and_with_any_is_one_array():
    portable = sql.statement("summary_header", "sqlite", {"center_ids": [1, 2], "number": "S-1"})
    postgres = sql.statement("summary_header", "postgresql", {"center_ids": [1, 2], "number": "S-1"})
    assert portable._bindparams["center_ids"].expanding
    assert "= ANY(:center_ids)" in str(postgres)
    assert not postgres._bindparams["center_ids"].expanding


def test_an_unknown_or_malformed_query_name_is_refused():
    with pytest.raises(sql.UnknownQuery):
        sql.statement("../etc/passwd", "sqlite", {})
    with pytest.raises(sql.UnknownQuery):
        sql.statement("no_such_query", "sqlite", {})
