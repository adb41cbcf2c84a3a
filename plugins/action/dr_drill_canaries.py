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

from ansible_collections.ai_model_registry.infra.plugins.module_utils import canaries, postgresql, redis_connection
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction

WRITER_STOP_TIMEOUT = 30
MAXFD = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024


def start_writer(open_store, error, params):
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
            open_store, path, params["interval_seconds"], time.time() + params["max_seconds"], error=error
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


def run(module, open_store, error=Exception, params=None):
    """The module's states on one store; ``open_store(timeout=None)`` connects and returns the store of the drill's
    canaries (canaries.TableCanaries or KeyCanaries), ``error`` the driver's error classes (the writer's);
    ``params``: the module's, or those of Redis (redis_params)."""
    params = params or module.params
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
        with open_store() as store:
            result.update(changed=True, written=store.write_many(params["count"]), server=store.server())
        if params["acknowledgements"]:
            # short connection attempts: while the primary is down the writer keeps trying, every interval
            result["writer_pid"] = start_writer(functools.partial(open_store, timeout=2), error, params)
        return result
    result["acknowledged"] = stop_writer(module, params["acknowledgements"], result)
    if state == "stopped":
        return result
    with open_store() as store:
        if state == "absent":
            result["deleted"] = store.delete_all()
            result["changed"] = bool(result["deleted"])
            return result
        if params["write"]:
            store.write_one(canaries.VERIFY_SEQ, create=True)
            result["changed"] = True
        result.update(found=store.read(), count=store.count(), server=store.server())
    result["read_at"] = time.time()
    return result


ARGUMENT_SPEC = dict(
    postgresql.CONNECTION_ARGS,
    table={"type": "str", "default": "dr_drill_canary"},
    redis={
        "type": "dict",
        "options": {
            "host": {"type": "str", "required": True},
            "port": {"type": "int", "default": 6379},
            "password": {"type": "str", "no_log": True},
            "tls": {"type": "bool", "default": True},
            "key_prefix": {"type": "str", "default": "dr-drill-canary"},
            "ttl_seconds": {"type": "int", "default": 86400},
        },
    },
    drill_id={"type": "str", "required": True},
    state={"type": "str", "choices": ["written", "read", "stopped", "absent"], "default": "written"},
    count={"type": "int", "default": 20},
    acknowledgements={"type": "path"},
    interval_seconds={"type": "float", "default": 0.2},
    max_seconds={"type": "float", "default": 3600},
    write={"type": "bool", "default": False},
)


def redis_params(params):
    """The module's parameters for Redis's sentinel keys: its connection, and its writer's own acknowledgements."""
    cache = params["redis"]
    return dict(
        params,
        login_host=cache["host"],
        login_port=cache["port"],
        login_password=cache["password"],
        tls=cache["tls"],
        acknowledgements=params["acknowledgements"] + ".redis" if params["acknowledgements"] else None,
    )


def table_store(params):
    def open_table(timeout=None):
        return canaries.TableCanaries(postgresql.connect(params, timeout=timeout), params["table"], params["drill_id"])

    return open_table


def key_store(params):
    def open_keys(timeout=None):
        connection = redis_connection.connect(params, timeout=timeout)
        cache = params["redis"]
        return canaries.KeyCanaries(connection, cache["key_prefix"], params["drill_id"], cache["ttl_seconds"])

    return open_keys


def main(module):
    params = module.params
    if not canaries.IDENTIFIER.match(params["table"]):
        module.fail_json(
            msg="table %r is no SQL identifier. Nothing was changed." % params["table"], reason="invalid_table"
        )
    if not 0 < params["count"] < canaries.FIRST_WRITER_SEQ:
        module.fail_json(msg="count must be between 1 and %d" % (canaries.FIRST_WRITER_SEQ - 1))
    if params["redis"] and params["redis"]["ttl_seconds"] < 1:
        module.fail_json(msg="redis.ttl_seconds must be at least 1, got %d" % params["redis"]["ttl_seconds"])
    postgresql.require_psycopg(module)
    if params["redis"]:
        redis_connection.require_redis(module)
    result = run(module, table_store(params), postgresql.psycopg.Error)
    if params["redis"]:
        cache = redis_params(params)
        result["redis"] = run(module, key_store(cache), redis_connection.ERRORS, cache)
        result["changed"] = result["changed"] or result["redis"]["changed"]
    module.exit_json(**result)


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": False}
    main = staticmethod(main)
