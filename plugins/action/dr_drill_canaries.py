# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.dr_drill_canaries: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/dr_drill_canaries.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import os
import time

from ansible_collections.ai_model_registry.infra.plugins.module_utils import canaries, postgresql
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction

WRITER_STOP_TIMEOUT = 30
MAXFD = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024


def start_writer(connect, statements, params):
    """Fork the background writer, detached (its own session, no inherited output): the module returns at once."""
    path = params["acknowledgements"]
    for leftover in (canaries.stop_file(path), canaries.done_file(path), path + ".pid"):
        if os.path.exists(leftover):
            os.remove(leftover)
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory)
    open(path, "a").close()
    reader, writer = os.pipe()
    child = os.fork()
    if child:
        os.close(writer)
        os.waitpid(child, 0)
        with os.fdopen(reader) as pid:
            return int(pid.read())
    os.close(reader)
    os.setsid()
    if os.fork():
        os._exit(0)  # pylint: disable=protected-access
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    # Nothing of the Ansible worker it was forked from stays open in the writer (its result queue, its pipes).
    os.closerange(3, writer)
    os.closerange(writer + 1, MAXFD)
    try:
        with open(path + ".pid", "w") as pid_file:
            pid_file.write(str(os.getpid()))
        os.write(writer, str(os.getpid()).encode())
        os.close(writer)
        canaries.write_loop(
            connect,
            statements["write_one"],
            params["drill_id"],
            path,
            params["interval_seconds"],
            time.time() + params["max_seconds"],
            error=postgresql.psycopg.Error,
        )
    finally:
        os._exit(0)  # pylint: disable=protected-access


def stop_writer(module, path, result):
    """Stop the background writer of ``path`` (if one ran) and read its acknowledgements."""
    if not path or not os.path.exists(path):
        return []
    with open(canaries.stop_file(path), "a"):
        pass
    if os.path.exists(path + ".pid") and not canaries.wait_done(path, WRITER_STOP_TIMEOUT):
        module.fail_json(msg="the canary writer of %s did not stop" % path, reason="writer_running", **result)
    with open(path) as acknowledged:
        return canaries.parse_acknowledgements(acknowledged.read())


def run(module, connect):
    params = module.params
    statements = canaries.sql(params["table"])
    drill = {"drill": params["drill_id"]}
    result = {
        "changed": False,
        "written": [],
        "writer_pid": None,
        "found": [],
        "acknowledged": [],
        "count": 0,
        "read_at": None,
        "deleted": 0,
        "endpoint": "%s:%s" % (params["login_host"], params["login_port"]),
        "server": None,
    }
    state = params["state"]
    if state == "written":
        with connect() as connection:
            connection.execute(statements["create"])
            rows = connection.execute(statements["write_many"], dict(drill, count=params["count"])).fetchall()
            result["server"] = "%s:%s" % connection.execute(statements["server"]).fetchone()
        result.update(changed=True, written=[[int(seq), float(at)] for seq, at in rows])
        if params["acknowledgements"]:
            # short connection attempts: while the primary is down the writer keeps trying, every interval
            result["writer_pid"] = start_writer(lambda: connect(timeout=2), statements, params)
        return result
    result["acknowledged"] = stop_writer(module, params["acknowledgements"], result)
    if state == "stopped":
        return result
    with connect() as connection:
        if state == "absent":
            exists = connection.execute(statements["exists"], {"table": params["table"]}).fetchone()[0]
            if exists:
                result["deleted"] = connection.execute(statements["delete_all"]).rowcount
            result["changed"] = bool(result["deleted"])
            return result
        if params["write"]:
            # the table too may not have reached the DR region before an unplanned failover
            connection.execute(statements["create"])
            connection.execute(statements["write_one"], dict(drill, seq=canaries.VERIFY_SEQ))
            result["changed"] = True
        rows = connection.execute(statements["read"], drill).fetchall()
        result["count"] = connection.execute(statements["count"], drill).fetchone()[0]
        result["server"] = "%s:%s" % connection.execute(statements["server"]).fetchone()
    result.update(found=[[int(seq), float(at)] for seq, at in rows], read_at=time.time())
    return result


ARGUMENT_SPEC = dict(
    postgresql.CONNECTION_ARGS,
    table={"type": "str", "default": "dr_drill_canary"},
    drill_id={"type": "str", "required": True},
    state={"type": "str", "choices": ["written", "read", "stopped", "absent"], "default": "written"},
    count={"type": "int", "default": 20},
    acknowledgements={"type": "path"},
    interval_seconds={"type": "float", "default": 0.2},
    max_seconds={"type": "float", "default": 3600},
    write={"type": "bool", "default": False},
)


def main(module):
    params = module.params
    if not canaries.IDENTIFIER.match(params["table"]):
        module.fail_json(
            msg="table %r is no SQL identifier. Nothing was changed." % params["table"], reason="invalid_table"
        )
    if not 0 < params["count"] < canaries.FIRST_WRITER_SEQ:
        module.fail_json(msg="count must be between 1 and %d" % (canaries.FIRST_WRITER_SEQ - 1))
    postgresql.require_psycopg(module)
    module.exit_json(**run(module, functools.partial(postgresql.connect, params)))


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": False}
    main = staticmethod(main)
