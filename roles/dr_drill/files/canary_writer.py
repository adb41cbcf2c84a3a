"""Write canary rows to the primary while a DR drill switches, and record each acknowledged commit.

The dr_drill role runs this in the background (async) from the declaration of the disaster until the
DR side is verified. Each row whose COMMIT returned is appended to --out as "<seq> <epoch seconds>",
so the drill tells exactly which acknowledged writes the new writer lacks: the loss the switch caused,
measured rather than assumed. When the primary stops or turns read-only the writer keeps trying
(every --interval) until --stop exists or --max-seconds pass. The connection comes from the
environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), never from arguments.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import time

import psycopg

FIRST_SEQ = 1000  # the canaries written before the switch use 1..dr_drill_canary_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drill", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--stop", required=True, type=pathlib.Path)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--max-seconds", type=float, default=3600)
    args = parser.parse_args()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", args.table):
        parser.error(f"not a table name: {args.table}")
    insert = f"INSERT INTO {args.table} (drill_id, seq) VALUES (%s, %s)"  # noqa: S608 - validated identifier
    seq, connection, deadline = FIRST_SEQ, None, time.time() + args.max_seconds
    with args.out.open("a", buffering=1) as acknowledged:
        while time.time() < deadline and not args.stop.exists():
            try:
                if connection is None or connection.closed:
                    connection = psycopg.connect(connect_timeout=2, autocommit=True)
                connection.execute(insert, (args.drill, seq))
                acknowledged.write(f"{seq} {time.time()}\n")
                seq += 1
            except psycopg.Error:
                connection = None  # the writer moved, stopped or turned read-only: try again
            time.sleep(args.interval)


if __name__ == "__main__":
    main()
