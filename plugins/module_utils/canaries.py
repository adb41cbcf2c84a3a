# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Canary rows of a DR drill: their SQL, the background writer's loop and its acknowledgements file.

A drill writes canaries to the primary before a switch (seq 1..count), keeps writing one every interval while
the writer moves (seq 1000 and up, each acknowledged commit appended to a file as ``<seq> <epoch seconds>``),
and reads them on the new writer: which acknowledged writes are missing is the loss the switch caused, measured.
No driver import here: ``connect`` is given (psycopg's in the module, a fake in the unit tests).
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


def write_loop(connect, insert, drill_id, path, interval, deadline, clock=time.time, sleep=time.sleep, error=Exception):
    """The background writer: a canary every ``interval`` until ``<path>.stop`` exists or ``deadline``.

    Each commit the server acknowledged is appended to ``path``; when the primary stops or turns read-only the
    writer keeps trying (``error`` is the driver's error class). ``<path>.done`` is written at the end.
    """
    seq, connection = FIRST_WRITER_SEQ, None
    try:
        with open(path, "a") as acknowledged:
            while clock() < deadline and not os.path.exists(stop_file(path)):
                try:
                    if connection is None:
                        connection = connect()
                    connection.execute(insert, {"drill": drill_id, "seq": seq})
                    acknowledged.write("%d %r\n" % (seq, clock()))
                    acknowledged.flush()
                    seq += 1
                except error:
                    connection = None  # the writer moved, stopped or turned read-only: try again
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
