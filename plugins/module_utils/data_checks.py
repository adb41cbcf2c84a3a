# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of restored data: which checks are valid, their SQL, their verdicts, and the run of them all.

Shared by the ``postgresql_data_checks`` module, the drill filters (which refuse invalid checks before a
drill starts) and the restore testing validation Lambda of the backup stack (``make lambda-code`` inlines
this file), so a drill and AWS Backup's restore test judge restored data alike. No database driver, no
Ansible import: ``run`` is given the driver's connect function and its error class.
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


def plain(value):
    """A value as JSON carries it: numbers, text, booleans and null as they are, anything else as its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _first_value(connection, sql, args=None):
    row = connection.execute(sql, args or {}).fetchone()
    return None if row is None else row[0]


def run(connect, error, checks, restored, source=None, point=None):
    """Run the checks in order, each only when those before it passed; the verdicts, what was skipped, and passed.

    ``connect(host, port)``: a read-only connection of the database driver (a context manager whose
    ``execute`` returns a cursor); ``error``: the driver's base exception. ``checks``: ``tables``,
    ``row_counts``, ``queries`` (validated by ``problems``). ``restored`` and ``source``: ``(host, port)``;
    ``point``: the recovery point in seconds since the epoch (row counts need ``source`` and ``point``).
    """
    tables, row_counts, queries = (checks.get(name) or [] for name in ("tables", "row_counts", "queries"))
    planned = [TABLES] + ([ROW_COUNTS] if row_counts else []) + ([QUERIES] if queries else [])
    results = []
    try:
        with connect(*restored) as connection:
            row = connection.execute(MISSING_TABLES_SQL, {"tables": ",".join(tables)}).fetchone()
            results.append(tables_verdict(tables, row[0], row[1]))
            if ROW_COUNTS in planned and results[-1]["status"] == "ok":
                counts = []
                with connect(*source) as source_connection:
                    for count in row_counts:
                        counts.append(
                            {
                                "table": count["table"],
                                "restored": _first_value(connection, count_sql(count["table"])),
                                "source": _first_value(
                                    source_connection, count_sql(count["table"], count["written_at"]), {"point": point}
                                ),
                            }
                        )
                results.append(row_counts_verdict(counts))
            if QUERIES in planned and results[-1]["status"] == "ok":
                answers = []
                for query in queries:
                    entry = {"name": query["name"], "expected": query["expect"]}
                    try:
                        entry["answer"] = plain(_first_value(connection, query["sql"]))
                    except error as e:
                        entry["error"] = str(e).strip()
                    answers.append(entry)
                results.append(queries_verdict(answers))
    except error as e:
        if not results:
            results.append(unreachable(str(e).strip()))
        else:  # the source could not be counted
            results.append({"name": planned[len(results)], "status": "failed", "detail": str(e).strip()})
    ran = [c["name"] for c in results]
    return {
        "checks": results,
        "skipped": [name for name in planned if name not in ran],
        "passed": len(results) == len(planned) and all(c["status"] == "ok" for c in results),
    }
