# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Canaries of a DR drill: where they are kept, the background writer's loop and its acknowledgements file.

A drill writes canaries to the primary before a switch (seq 1..count), keeps writing one every interval while
the writer moves (seq 1000 and up, each acknowledged write appended to a file as ``<seq> <epoch seconds>``),
and reads them on the new primary: which acknowledged writes are missing is the loss the switch caused, measured.
Two stores keep them: rows of a PostgreSQL table (``TableCanaries``, the database) and keys of a Redis
(``KeyCanaries``, the cache's sentinel keys). No driver import here: the stores are given an open connection
(psycopg's or redis-py's in the module, fakes in the unit tests).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
FIRST_WRITER_SEQ = 1000  # the canaries written before the switch use 1..count (count < 1000)
VERIFY_SEQ = 0  # the canary written through the repointed endpoint after the switch


# The statements on the canary table; ``{table}`` is a validated identifier, every value a query parameter.
STATEMENTS = {
    "create": "CREATE TABLE IF NOT EXISTS {table} (drill_id text, seq integer, "
    "written_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (drill_id, seq))",
    "write_many": "INSERT INTO {table} (drill_id, seq) SELECT %(drill)s, g FROM generate_series(1, %(count)s) AS g "
    "RETURNING seq, extract(epoch FROM written_at)::float AS at",
    "write_one": "INSERT INTO {table} (drill_id, seq) VALUES (%(drill)s, %(seq)s)",
    "read": "SELECT seq, extract(epoch FROM written_at)::float AS at FROM {table} WHERE drill_id = %(drill)s "
    "AND seq > 0 ORDER BY seq",
    "count": "SELECT count(*) FROM {table} WHERE drill_id = %(drill)s",
    "exists": "SELECT to_regclass(%(table)s) IS NOT NULL",
    "delete_all": "DELETE FROM {table}",
    # the server that answered (behind a global writer endpoint: whichever cluster is the writer now)
    "server": "SELECT host(inet_server_addr()), inet_server_port()",
}


def sql(table):
    """The statements on ``table``, which must be a plain or schema-qualified identifier."""
    if not IDENTIFIER.match(table or ""):
        raise ValueError("not a table name: %r" % (table,))
    return {name: text.replace("{table}", table) for name, text in STATEMENTS.items()}


class _Store(object):
    """A store of one drill's canaries on an open connection, closed with the store (``with``)."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.connection.close()
        return False


class TableCanaries(_Store):
    """The canaries as rows ``(drill_id, seq, written_at)`` of a PostgreSQL table (autocommit connection)."""

    def __init__(self, connection, table, drill_id):
        super(TableCanaries, self).__init__(connection)
        self.table, self.statements, self.drill = table, sql(table), {"drill": drill_id}

    def write_many(self, count):
        """Rows seq 1..count in one statement (the table created if missing): ``[seq, at]`` of each commit."""
        self.connection.execute(self.statements["create"])
        rows = self.connection.execute(self.statements["write_many"], dict(self.drill, count=count)).fetchall()
        return [[int(seq), float(at)] for seq, at in rows]

    def write_one(self, seq, create=False):
        if create:  # the table too may not have reached the DR region before an unplanned failover
            self.connection.execute(self.statements["create"])
        self.connection.execute(self.statements["write_one"], dict(self.drill, seq=seq))

    def read(self):
        """The drill's canaries but seq 0, ``[seq, at]`` each, by seq."""
        rows = self.connection.execute(self.statements["read"], self.drill).fetchall()
        return [[int(seq), float(at)] for seq, at in rows]

    def count(self):
        return self.connection.execute(self.statements["count"], self.drill).fetchone()[0]

    def delete_all(self):
        """Every drill's canaries (the lock makes them ours): how many rows; 0 when the table does not exist."""
        if not self.connection.execute(self.statements["exists"], {"table": self.table}).fetchone()[0]:
            return 0
        return self.connection.execute(self.statements["delete_all"]).rowcount

    def server(self):
        """``<address>:<port>`` of the server that answered (behind a global endpoint: the writer of now)."""
        return "%s:%s" % self.connection.execute(self.statements["server"]).fetchone()


class KeyCanaries(_Store):
    """The canaries as Redis keys ``<prefix>:<drill id>:<seq>`` holding when each was written (epoch seconds).

    Each key expires after ``ttl_seconds``: a drill that never got to its cleanup leaves nothing in the cache for
    long. ``connection``: a redis-py client that decodes responses.
    """

    def __init__(self, connection, prefix, drill_id, ttl_seconds, clock=time.time):
        super(KeyCanaries, self).__init__(connection)
        self.prefix, self.drill, self.ttl, self.clock = prefix, drill_id, int(ttl_seconds), clock

    def _key(self, seq):
        return "%s:%s:%d" % (self.prefix, self.drill, seq)

    def _keys(self, pattern):
        return list(self.connection.scan_iter(match=pattern, count=1000))

    def write_many(self, count):
        """Keys seq 1..count in one transaction (MULTI/EXEC): ``[seq, at]`` each."""
        at = self.clock()
        pipeline = self.connection.pipeline(transaction=True)
        for seq in range(1, count + 1):
            pipeline.set(self._key(seq), repr(at), ex=self.ttl)
        pipeline.execute()
        return [[seq, at] for seq in range(1, count + 1)]

    def write_one(self, seq, create=False):
        self.connection.set(self._key(seq), repr(self.clock()), ex=self.ttl)

    def _found(self):
        keys = self._keys("%s:%s:*" % (_glob_escape(self.prefix), _glob_escape(self.drill)))
        values = self.connection.mget(keys) if keys else []
        found = {}
        for key, value in zip(keys, values):  # noqa: B905 - MGET: one answer per key
            seq = key.rsplit(":", 1)[1]
            if value is not None and seq.isdigit():
                found[int(seq)] = float(value)
        return found

    def read(self):
        return [[seq, at] for seq, at in sorted(self._found().items()) if seq > 0]

    def count(self):
        return len(self._found())

    def delete_all(self):
        """Every drill's canary keys under the prefix (the lock makes them ours): how many."""
        keys = self._keys("%s:*" % _glob_escape(self.prefix))
        return self.connection.unlink(*keys) if keys else 0

    def server(self):
        """The answering server's ``run_id`` (INFO server): a new primary answers with another."""
        return "run_id %s" % self.connection.info("server").get("run_id", "unknown")


def _glob_escape(text):
    """``text`` matched literally in a Redis glob pattern (SCAN MATCH)."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def parse_acknowledgements(text):
    """``<seq> <at>`` lines as ``[seq, at]`` pairs (a line cut short by a crash is left out)."""
    pairs = []
    for line in (text or "").splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        try:
            pairs.append([int(parts[0]), float(parts[1])])
        except ValueError:
            continue
    return pairs


def stop_file(path):
    return path + ".stop"


def done_file(path):
    return path + ".done"


def write_loop(open_store, path, interval, deadline, clock=time.time, sleep=time.sleep, error=Exception):
    """The background writer: a canary every ``interval`` until ``<path>.stop`` exists or ``deadline``.

    ``open_store()`` connects and returns a store (``TableCanaries``, ``KeyCanaries``). Each write the server
    acknowledged is appended to ``path``; when the primary stops or turns read-only the writer connects again and
    keeps trying (``error``: the driver's error classes). ``<path>.done`` is written at the end.
    """
    seq, store = FIRST_WRITER_SEQ, None
    try:
        with open(path, "a") as acknowledged:
            while clock() < deadline and not os.path.exists(stop_file(path)):
                try:
                    if store is None:
                        store = open_store()
                    store.write_one(seq)
                    acknowledged.write("%d %r\n" % (seq, clock()))
                    acknowledged.flush()
                    seq += 1
                except error:
                    store = None  # the writer moved, stopped or turned read-only: try again
                sleep(interval)
    finally:
        with open(done_file(path), "w") as done:
            done.write("%d\n" % seq)


def wait_done(path, timeout, clock=time.time, sleep=time.sleep):
    """Wait until the writer of ``path`` has ended (its ``.done`` file); True when it has."""
    deadline = clock() + timeout
    while not os.path.exists(done_file(path)):
        if clock() >= deadline:
            return False
        sleep(0.1)
    return True
