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


def test_only_plain_integer_lists_become_postgresql_array_text():
    assert sql.array_literal([3, 1, 20]) == "{3,1,20}"
    assert sql.array_literal([]) == "{}"
    assert sql.array_literal([True, 2]) is None          # bool is an int subclass: not rendered as digits
    assert sql.array_literal(["1", 2]) is None
    assert sql.array_literal(["x}', 'y"]) is None


def test_a_list_bound_with_in_stays_expanding_and_with_any_becomes_an_array_bind():
    assert sql._array_binds("summary_header", "postgresql", frozenset({"center_ids"})) == {"center_ids"}
    assert sql._array_binds("summary_header", "sqlite", frozenset({"center_ids"})) == set()
