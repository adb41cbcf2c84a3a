# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.backup_restore_job: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/backup_restore_job.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client, rpo
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.backup_restore import BackupRestore, point_summary
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction

warm("backup", "rds")


def run(module):
    params = module.params
    clients = aws_client.module_clients(module)
    result = {"changed": False, "created_resource_arn": "", "recovery_point": {}, "duration_seconds": None}
    result["api_calls"] = clients.api_calls
    restore = BackupRestore(module, clients, result)
    vault = params["backup_vault_name"]
    if params["recovery_point_arn"]:
        point = restore.described_point(vault, params["recovery_point_arn"])
    else:
        point = restore.newest_point(vault, params["resource_arn"])
        if point is None:
            restore.fail(
                "no_recovery_point", "no completed recovery point of %s in vault %s" % (params["resource_arn"], vault)
            )
    result.update(changed=True, recovery_point=point_summary(point, rpo.now_utc()))
    if module.check_mode:
        module.exit_json(**result)
    requested = restore.start(point, params["iam_role_arn"], params["resource_type"], params["metadata"])
    if params["wait"]:
        restore.wait(requested, requested + params["wait_timeout"], params["wait_timeout"])
    module.exit_json(**result)


ARGUMENT_SPEC = {
    "recovery_point_arn": {"type": "str"},
    "resource_arn": {"type": "str"},
    "backup_vault_name": {"type": "str"},
    "iam_role_arn": {"type": "str", "required": True},
    "resource_type": {"type": "str", "default": "Aurora"},
    "metadata": {"type": "dict", "required": True},
    "wait": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 7200},
}


def main(module):
    if module.params["resource_type"] == "Aurora" and not module.params["metadata"].get("DBClusterIdentifier"):
        module.fail_json(msg="metadata.DBClusterIdentifier is required to restore an Aurora cluster", api_calls=[])
    if module.params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be above 0", api_calls=[])
    run(module)


class ActionModule(ControllerModuleAction):
    MODULE = {
        "argument_spec": ARGUMENT_SPEC,
        "required_one_of": [["recovery_point_arn", "resource_arn"]],
        "mutually_exclusive": [["recovery_point_arn", "resource_arn"]],
        "required_by": {"resource_arn": "backup_vault_name", "recovery_point_arn": "backup_vault_name"},
        "supports_check_mode": True,
        "aws": True,
    }
    main = staticmethod(main)
