# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.postgresql_data_checks: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/postgresql_data_checks.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.module_utils import data_checks, postgresql, times
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction


def epoch(value):
    """Seconds since the epoch of an ISO 8601 time (a time without offset is UTC) or of a number; None without one.

    Raises ValueError for a value that is neither.
    """
    if value in (None, ""):
        return None
    return times.to_epoch(value)


ARGUMENT_SPEC = dict(
    postgresql.CONNECTION_ARGS,
    source_host={"type": "str"},
    source_port={"type": "int", "default": 5432},
    recovery_point={"type": "str"},
    tables={"type": "list", "elements": "str", "default": []},
    row_counts={
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {"table": {"type": "str", "required": True}, "written_at": {"type": "str", "required": True}},
    },
    queries={
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "name": {"type": "str", "required": True},
            "sql": {"type": "str", "required": True},
            "expect": {"type": "raw", "required": True},
        },
    },
)


def main(module):
    params = module.params
    result = {"changed": False, "passed": False, "checks": [], "skipped": [], "recovery_point_epoch": None}
    # Everything that needs no connection first: a bad name never reaches a server.
    found = data_checks.problems(params["tables"], params["row_counts"], params["queries"])
    if params["row_counts"] and not (params["source_host"] and params["recovery_point"]):
        found.append("row_counts need source_host and recovery_point")
    try:
        result["recovery_point_epoch"] = epoch(params["recovery_point"])
    except ValueError:
        found.append("recovery_point is neither ISO 8601 nor seconds since the epoch: %s" % params["recovery_point"])
    if found:
        module.fail_json(msg="; ".join(found) + ". Nothing was connected to.", reason="invalid_checks", **result)
    postgresql.require_psycopg(module, **result)

    def connect(host, port):
        return postgresql.connect(params, host=host, port=port, options="-c default_transaction_read_only=on")

    restored = (params["login_host"], params["login_port"])
    source = (params["source_host"], params["source_port"])
    result.update(
        data_checks.run(connect, postgresql.psycopg.Error, params, restored, source, result["recovery_point_epoch"])
    )
    module.exit_json(**result)


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": True}
    main = staticmethod(main)
