# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.dr_drill_restore: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/dr_drill_restore.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.ai_model_registry.infra.plugins.module_utils import rpo
from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import module_clients
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.backup_restore import BackupRestore, point_summary
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import (
    ControllerModuleAction,
    ModuleRequests,
)

warm("rds", "backup")


def newest_snapshot(snapshots):
    """The newest available snapshot of DescribeDBClusterSnapshots, or None."""
    available = [s for s in snapshots if s.get("Status", "available") == "available"]
    return max(available, key=lambda s: rpo.aware(s["SnapshotCreateTime"])) if available else None


class DrillRestore:
    def __init__(self, module, clock=time.time, sleep=time.sleep):
        self.module, self.params = module, module.params
        self.clock, self.sleep = clock, sleep
        self.deadline = clock() + self.params["wait_timeout"]
        clients = module_clients(module)
        self.result = {
            "changed": False,
            "cluster": {},
            "recovery_point": {},
            "restore_job": {},
            "duration_seconds": None,
            "api_calls": clients.api_calls,
        }
        self.backup = BackupRestore(module, clients, self.result, clock, sleep)
        self.rds = ModuleRequests(module, clients("rds", module.region), "RDS", self.result)

    def cluster(self, identifier):
        return self.rds.call("DescribeDBClusters", DBClusterIdentifier=identifier)["DBClusters"][0]

    def instance_status(self, identifier):
        [instance] = self.rds.call("DescribeDBInstances", DBInstanceIdentifier=identifier)["DBInstances"]
        return instance["DBInstanceStatus"]

    def recovery_point(self, source):
        """The newest completed AWS Backup recovery point of ``source``, else its newest automated snapshot."""
        now = rpo.now_utc()
        vault = self.params["backup_vault_name"]
        point = self.backup.newest_point(vault, source["DBClusterArn"]) if vault else None
        if point:
            return dict(point_summary(point, now), source="AWS Backup"), point
        snapshots = self.rds.paginate(
            "DescribeDBClusterSnapshots",
            key="DBClusterSnapshots",
            DBClusterIdentifier=source["DBClusterIdentifier"],
            SnapshotType="automated",
        )
        snapshot = newest_snapshot(snapshots)
        if snapshot is None:
            in_vault = " in vault %s" % vault if vault else ""
            self.module.fail_json(
                msg="nothing to restore: no completed recovery point of %s%s and no automated snapshot"
                % (source["DBClusterIdentifier"], in_vault),
                reason="no_recovery_point",
                **self.result,
            )
        summary = {
            "source": "automated snapshot",
            "arn": snapshot["DBClusterSnapshotArn"],
            "snapshot_identifier": snapshot["DBClusterSnapshotIdentifier"],
            "creation_date": rpo.aware(snapshot["SnapshotCreateTime"]).isoformat(),
            "age_seconds": rpo.age_seconds(snapshot["SnapshotCreateTime"], now),
        }
        return summary, None

    def wait_available(self, what, describe):
        """Poll ``describe()`` (the status of ``what``) until it is available; fails at the module's deadline."""

        def timeout(status):
            self.module.fail_json(
                msg="%s is still %s after %s s" % (what, status, self.params["wait_timeout"]),
                reason="timeout",
                **self.result,
            )

        gdb.poll_until(describe, lambda status: status == "available", timeout, self.deadline, self.clock, self.sleep)

    def run(self):
        p = self.params
        name = p["cluster"]
        source = self.cluster(p["source_cluster"])
        summary, backup_point = self.recovery_point(source)
        summary["detail"] = "%(source)s %(arn)s of %(creation_date)s (%(age_seconds)s s old)" % summary
        instance = "%s-1" % name
        self.result.update(changed=True, recovery_point=summary, cluster={"identifier": name, "instance": instance})
        if self.module.check_mode:
            self.module.exit_json(**self.result)
        # The restored cluster is where the source is: its engine, subnets and security groups, without the
        # deletion protection a drill's cleanup would have to lift.
        network = {
            "Engine": source["Engine"],
            "EngineVersion": source["EngineVersion"],
            "DBSubnetGroupName": source["DBSubnetGroup"],
            "VpcSecurityGroupIds": [g["VpcSecurityGroupId"] for g in source.get("VpcSecurityGroups") or []],
        }
        tags = [{"Key": k, "Value": str(v)} for k, v in sorted(p["tags"].items())]
        if backup_point:
            metadata = dict(network, DBClusterIdentifier=name, DeletionProtection=False)
            requested = self.backup.start(backup_point, p["iam_role_arn"], "Aurora", metadata)
            job = self.backup.wait(requested, self.deadline, p["wait_timeout"])
            # A restore job's metadata takes no tags: the drill's go on afterwards.
            arn = job.get("CreatedResourceArn") or self.cluster(name)["DBClusterArn"]
            self.rds.call("AddTagsToResource", ResourceName=arn, Tags=tags)
        else:
            requested = self.clock()
            self.rds.call(
                "RestoreDBClusterFromSnapshot",
                DBClusterIdentifier=name,
                SnapshotIdentifier=summary["snapshot_identifier"],
                DeletionProtection=False,
                Tags=tags,
                **network,
            )
            self.wait_available("cluster %s" % name, lambda: self.cluster(name)["Status"])
            self.result["duration_seconds"] = round(self.clock() - requested, 3)
        self.rds.call(
            "CreateDBInstance",
            DBInstanceIdentifier=instance,
            DBClusterIdentifier=name,
            Engine=network["Engine"],
            DBInstanceClass=p["instance_class"],
            Tags=tags,
        )
        self.wait_available("instance %s" % instance, lambda: self.instance_status(instance))
        restored = self.cluster(name)
        self.result["cluster"].update(
            arn=restored["DBClusterArn"], endpoint=restored.get("Endpoint"), port=restored.get("Port")
        )
        self.module.exit_json(**self.result)


ARGUMENT_SPEC = {
    "source_cluster": {"type": "str", "required": True},
    "cluster": {"type": "str", "required": True},
    "backup_vault_name": {"type": "str"},
    "iam_role_arn": {"type": "str"},
    "instance_class": {"type": "str", "required": True},
    "tags": {"type": "dict", "default": {}},
    "wait_timeout": {"type": "int", "default": 7200},
}


def main(module, clock=time.time, sleep=time.sleep):
    if module.params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be above 0", api_calls=[])
    if module.params["source_cluster"] == module.params["cluster"]:
        module.fail_json(msg="cluster must not be the source cluster %s" % module.params["cluster"], api_calls=[])
    DrillRestore(module, clock, sleep).run()


class ActionModule(ControllerModuleAction):
    MODULE = {
        "argument_spec": ARGUMENT_SPEC,
        "required_together": [["backup_vault_name", "iam_role_arn"]],
        "supports_check_mode": True,
        "aws": True,
    }
    main = staticmethod(main)
