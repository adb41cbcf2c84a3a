"""The restored-data checks' decisions: what is refused before any connection, SQL text, verdicts."""

from __future__ import annotations

import pytest

from ansible_collections.ai_model_registry.infra.plugins.module_utils import data_checks


def test_valid_checks_have_no_problem():
    assert (
        data_checks.problems(
            ["models", "public.model_versions"],
            [{"table": "public.models", "written_at": "created_at"}],
            [{"name": "n", "sql": "SELECT 1", "expect": 1}],
        )
        == []
    )


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ((["models; DROP TABLE x"], [], []), "not models; DROP TABLE x"),
        (([], [{"table": "models", "written_at": "created_at OR 1=1"}], []), "not created_at OR 1=1"),
        ((["a.b.c"], [], []), "not a.b.c"),
        (([], [{"table": "models"}], []), "row_counts[0] needs table and written_at"),
        (([], [], [{"name": "n", "sql": "SELECT 1"}]), "queries[0] needs name, sql and expect"),
    ],
)
def test_problems_name_what_is_wrong(args, problem):
    assert any(problem in found for found in data_checks.problems(*args))


def test_count_sql_takes_only_identifiers():
    assert data_checks.count_sql("public.models") == "SELECT count(*) FROM public.models"
    assert data_checks.count_sql("models", "created_at") == (
        "SELECT count(*) FROM models WHERE created_at <= to_timestamp(%(point)s)"
    )
    with pytest.raises(ValueError, match="not an SQL identifier"):
        data_checks.count_sql("models --")


def test_tables_verdict():
    assert data_checks.tables_verdict(["models"], "models", 0) == {
        "name": "expected tables",
        "status": "failed",
        "detail": "missing: models",
        "missing": ["models"],
    }
    ok = data_checks.tables_verdict(["a", "b"], "", 7)
    assert ok["status"] == "ok" and ok["detail"] == "2 expected tables present, 7 tables in all"


def test_row_counts_verdict_needs_every_table_equal():
    verdict = data_checks.row_counts_verdict(
        [{"table": "models", "restored": 5, "source": 5}, {"table": "versions", "restored": 2, "source": 3}]
    )
    assert verdict["status"] == "failed"
    assert verdict["detail"] == "models restored 5 / source 5, versions restored 2 / source 3"
    assert [c["status"] for c in verdict["counts"]] == ["ok", "failed"]


@pytest.mark.parametrize(
    ("answer", "expected", "same"),
    [(5, 5, True), (5, "5", True), (True, True, True), (True, "true", True), (False, True, False), (None, 0, False)],
)
def test_same_answer_compares_as_text(answer, expected, same):
    assert data_checks.same_answer(answer, expected) is same


def test_queries_verdict():
    verdict = data_checks.queries_verdict(
        [
            {"name": "newest model", "answer": 5, "expected": 5},
            {"name": "broken", "error": 'relation "x" does not exist', "expected": 1},
        ]
    )
    assert verdict["status"] == "failed"
    assert verdict["detail"] == 'newest model: 5 (expected 5), broken: failed: relation "x" does not exist (expected 1)'
    assert [a["status"] for a in verdict["answers"]] == ["ok", "failed"]
    assert data_checks.queries_verdict([{"name": "n", "answer": 1, "expected": 1}])["status"] == "ok"
