"""The order of the restored-data checks (module_utils/data_checks.run, which postgresql_data_checks and the
restore testing validation Lambda run) on scripted connections (no server); the module's own helpers."""

from __future__ import annotations

import psycopg
import pytest

from ansible_collections.ai_model_registry.infra.plugins.action import postgresql_data_checks as module
from ansible_collections.ai_model_registry.infra.plugins.module_utils import data_checks


class Cursor:
    def __init__(self, row):
        self.row = row

    def fetchone(self):
        return self.row


class Connection:
    """Answers each statement with the first matching (substring, row) of a script; raises for an exception."""

    def __init__(self, script, log):
        self.script, self.log = script, log

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, args=None):
        self.log.append((sql, args))
        for part, answer in self.script:
            if part in sql:
                if isinstance(answer, Exception):
                    raise answer
                return Cursor(answer)
        raise AssertionError(f"unexpected SQL: {sql}")


def _run(restored, source=None, **params):
    log = []

    def connect(host, port):
        if isinstance(restored, Exception) and host == "restored":
            raise restored
        return Connection(restored if host == "restored" else source, log)

    return data_checks.run(connect, psycopg.Error, params, ("restored", 5433), ("src", 5432), 1700000000.0), log


COUNTS = [{"table": "models", "written_at": "created_at"}]
QUERIES = [{"name": "newest model", "sql": "SELECT max(id) FROM models", "expect": 5}]


def test_every_check_passes_and_counts_the_source_at_the_recovery_point():
    restored = [("to_regclass", ("", 3)), ("count(*) FROM models", (5,)), ("max(id)", (5,))]
    result, log = _run(
        restored, [("count(*) FROM models WHERE", (5,))], tables=["models"], row_counts=COUNTS, queries=QUERIES
    )
    assert result["passed"] and result["skipped"] == []
    assert [c["detail"] for c in result["checks"]] == [
        "1 expected tables present, 3 tables in all",
        "models restored 5 / source 5",
        "newest model: 5 (expected 5)",
    ]
    assert ("SELECT count(*) FROM models WHERE created_at <= to_timestamp(%(point)s)", {"point": 1700000000.0}) in log


def test_a_missing_table_skips_the_checks_after_it():
    result, log = _run([("to_regclass", ("models", 0))], tables=["models"], row_counts=COUNTS, queries=QUERIES)
    assert not result["passed"] and [c["detail"] for c in result["checks"]] == ["missing: models"]
    assert result["skipped"] == ["row counts at the recovery point", "validation queries"]
    assert len(log) == 1


def test_an_unreachable_database_is_a_failed_first_check():
    result = _run(psycopg.OperationalError("connection refused"), queries=QUERIES)[0]
    assert not result["passed"] and result["checks"] == [
        {
            "name": "expected tables",
            "status": "failed",
            "detail": "cannot query the restored database: connection refused",
        }
    ]


def test_a_failing_query_is_reported_with_its_error_and_the_others_still_run():
    restored = [
        ("to_regclass", ("", 1)),
        ("bad", psycopg.errors.UndefinedTable('relation "x" does not exist')),
        ("max(id)", (5,)),
    ]
    queries = [{"name": "broken", "sql": "SELECT bad", "expect": 1}, *QUERIES]
    result = _run(restored, queries=queries)[0]
    check = result["checks"][-1]
    assert check["status"] == "failed" and [a["status"] for a in check["answers"]] == ["failed", "ok"]


def test_a_source_that_cannot_be_counted_fails_the_row_counts():
    restored = [("to_regclass", ("", 1)), ("count(*) FROM models", (5,))]
    result = _run(
        restored, [("count(*)", psycopg.OperationalError("source down"))], row_counts=COUNTS, queries=QUERIES
    )[0]
    assert result["checks"][-1] == {
        "name": "row counts at the recovery point",
        "status": "failed",
        "detail": "source down",
    }
    assert result["skipped"] == ["validation queries"] and not result["passed"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1700000000.5", 1700000000.5),
        ("2023-11-14T22:13:20Z", 1700000000.0),
        ("2023-11-14T22:13:20", 1700000000.0),
        (None, None),
    ],
)
def test_epoch(value, seconds):
    assert module.epoch(value) == seconds


def test_plain_values():
    import decimal

    assert data_checks.plain(decimal.Decimal("2.5")) == "2.5"
    assert data_checks.plain(True) is True and data_checks.plain(None) is None
