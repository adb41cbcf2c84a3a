# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of restored data, as pure decisions: which checks are valid, their SQL, and their verdicts.

Shared by the ``postgresql_data_checks`` module (which runs the SQL) and the drill filters (which refuse
invalid checks before a drill starts). No database driver, no Ansible import.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# A plain or schema-qualified SQL identifier: the only names interpolated into SQL text.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")

TABLES = "expected tables"
ROW_COUNTS = "row counts at the recovery point"
QUERIES = "validation queries"

# The expected tables missing (one text argument: postgresql quotes each element of a list), and all tables.
MISSING_TABLES_SQL = (
    "SELECT coalesce(string_agg(t.name, ', ' ORDER BY t.name) FILTER (WHERE to_regclass(t.name) IS NULL), '')"
    " AS missing, (SELECT count(*) FROM pg_catalog.pg_tables"
    " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')) AS tables"
    " FROM unnest(string_to_array(%(tables)s, ',')) AS t(name)"
)


def problems(tables=None, row_counts=None, queries=None):
    """What is wrong with the checks, as sentences; empty when they can run. Nothing here connects."""
    found = []
    names = list(tables or [])
    for index, count in enumerate(row_counts or []):
        if not isinstance(count, dict) or not count.get("table") or not count.get("written_at"):
            found.append("row_counts[%d] needs table and written_at" % index)
            continue
        names.extend([count["table"], count["written_at"]])
    bad = [str(name) for name in names if not IDENTIFIER.match(str(name))]
    if bad:
        found.append(
            "table and column names must be plain or schema-qualified SQL identifiers, not %s" % ", ".join(bad)
        )
    for index, query in enumerate(queries or []):
        if not isinstance(query, dict) or not query.get("name") or not query.get("sql") or "expect" not in query:
            found.append("queries[%d] needs name, sql and expect" % index)
    return found


def count_sql(table, written_at=None):
    """The row count of a table (validated identifiers only), up to ``%(point)s`` by ``written_at``."""
    for name in (table, written_at):
        if name is not None and not IDENTIFIER.match(name):
            raise ValueError("not an SQL identifier: %r" % name)
    if written_at is None:
        return "SELECT count(*) FROM %s" % table  # noqa: S608 - a validated identifier
    return "SELECT count(*) FROM %s WHERE %s <= to_timestamp(%%(point)s)" % (table, written_at)  # noqa: S608


def _status(ok):
    return "ok" if ok else "failed"


def unreachable(error):
    """The tables check when the restored database cannot be queried at all."""
    return {"name": TABLES, "status": "failed", "detail": "cannot query the restored database: %s" % error}


def tables_verdict(expected, missing, total):
    """``missing``: the comma-separated names the database lacks (as MISSING_TABLES_SQL returns them)."""
    missing = [name.strip() for name in (missing or "").split(",") if name.strip()]
    detail = (
        "missing: %s" % ", ".join(missing)
        if missing
        else "%d expected tables present, %d tables in all" % (len(expected), total)
    )
    return {"name": TABLES, "status": _status(not missing), "detail": detail, "missing": missing}


def row_counts_verdict(counts):
    """``counts``: ``{table, restored, source}`` each; the restored table must hold exactly the source's rows."""
    counts = [dict(c, status=_status(c["restored"] == c["source"])) for c in counts]
    return {
        "name": ROW_COUNTS,
        "status": _status(all(c["status"] == "ok" for c in counts)),
        "detail": ", ".join("%s restored %s / source %s" % (c["table"], c["restored"], c["source"]) for c in counts),
        "counts": counts,
    }


def same_answer(answer, expected):
    """The query's first column as text against ``expect`` as text (``5`` and ``'5'``, ``true`` and ``True``)."""

    if isinstance(answer, bool) or isinstance(expected, bool):
        return str(answer).lower() == str(expected).lower()
    return str(answer) == str(expected)


def queries_verdict(answers):
    """``answers``: ``{name, expected}`` with ``answer`` or ``error`` each."""
    results = []
    for answer in answers:
        if "error" in answer:
            results.append(dict(answer, status="failed", shown="failed: %s" % answer["error"]))
        else:
            ok = same_answer(answer["answer"], answer["expected"])
            results.append(dict(answer, status=_status(ok), shown=str(answer["answer"])))
    detail = ", ".join("%s: %s (expected %s)" % (r["name"], r.pop("shown"), r["expected"]) for r in results)
    return {
        "name": QUERIES,
        "status": _status(all(r["status"] == "ok" for r in results)),
        "detail": detail,
        "answers": results,
    }
