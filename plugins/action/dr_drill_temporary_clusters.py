# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.dr_drill_temporary_clusters: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/dr_drill_temporary_clusters.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ai_model_registry.infra.plugins.module_utils import drill_clusters
from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import module_clients
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore, warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.backup_restore import ENDED
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

warm("rds", "backup")

# What RDS answers for a cluster or instance that is already going: deleting it again is not an error here.
GONE = ("DBClusterNotFoundFault", "DBInstanceNotFound", "DBInstanceNotFoundFault")
ALREADY_DELETING = ("InvalidDBClusterStateFault", "InvalidDBInstanceState")


class Cleaner:
    def __init__(self, module, clock=time.time, sleep=time.sleep):
        self.module = module
        self.params = module.params
        self.clock, self.sleep = clock, sleep
        self.deadline = clock() + self.params["wait_timeout"]
        clients = module_clients(module)
        self.rds = clients("rds", None)
        self.backup = clients("backup", None)
        self.result = {"changed": False, "removed": [], "api_calls": clients.api_calls}

    def fail(self, e, msg):
        self.module.fail_json_aws(e, msg=msg, **self.result)

    def find(self):
        """The clusters drills restored, each with its instances (DescribeDBClusters has their tags)."""
        try:
            clusters = self.rds.paginate("DescribeDBClusters", key="DBClusters")
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "Could not list the Aurora clusters")
        p = self.params
        return [
            {
                "cluster": c["DBClusterIdentifier"],
                "instances": [m["DBInstanceIdentifier"] for m in c.get("DBClusterMembers") or []],
                "deletion_protection": bool(c.get("DeletionProtection")),
            }
            for c in clusters
            if drill_clusters.restored_by_a_drill(
                c["DBClusterIdentifier"],
                {t["Key"]: t["Value"] for t in c.get("TagList") or []},
                p["tag_key"],
                p["environment"],
                p["name_prefix"],
            )
        ]

    def delete(self, action, what, **params):
        try:
            self.rds.call(action, SkipFinalSnapshot=True, **params)
        except is_boto3_error_code(GONE + ALREADY_DELETING):
            pass
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, "Could not delete %s" % what)

    def exists(self, action, key, **params):
        try:
            return bool(self.rds.call(action, **params)[key])
        except is_boto3_error_code(GONE):
            return False
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, "Could not describe %s" % params)

    def wait_gone(self, action, key, name_key, names):
        """Until no name of ``names`` is found any more (RDS deletes in the background)."""

        def remaining():
            return [n for n in names if self.exists(action, key, **{name_key: n})]

        def timeout(left):
            self.module.fail_json(
                msg="still being deleted after %s s: %s" % (self.params["wait_timeout"], ", ".join(left)), **self.result
            )

        gdb.poll_until(remaining, lambda left: not left, timeout, self.deadline, self.clock, self.sleep)

    def wait_for_restore_job(self, job_id):
        """Until the restore job ends: the cluster it creates appears only then (as it is, finished or not)."""

        def status():
            try:
                return self.backup.call("DescribeRestoreJob", RestoreJobId=job_id)["Status"]
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                self.fail(e, "Could not describe restore job %s" % job_id)

        def timeout(last):
            self.module.fail_json(
                msg="restore job %s is still %s after %s s" % (job_id, last, self.params["wait_timeout"]), **self.result
            )

        gdb.poll_until(status, lambda s: s in ENDED, timeout, self.deadline, self.clock, self.sleep)

    def run(self):
        if self.params["restore_job_id"]:
            self.wait_for_restore_job(self.params["restore_job_id"])
        found = self.find()
        protected = [c["cluster"] for c in found if c["deletion_protection"]]
        self.result.update(removed=[{"cluster": c["cluster"], "instances": c["instances"]} for c in found])
        if protected:
            self.module.fail_json(
                msg="Deletion protection is on for %s: a drill restores without it, so these were changed since; "
                "turn it off to let the cleanup delete them. Nothing was deleted." % ", ".join(protected),
                **self.result,
            )
        self.result["changed"] = bool(found)
        if not found or self.module.check_mode:
            self.module.exit_json(**self.result)
        # The instances first: RDS refuses to delete a cluster that still has one.
        instances = [i for c in found for i in c["instances"]]
        for instance in instances:
            self.delete("DeleteDBInstance", "instance %s" % instance, DBInstanceIdentifier=instance)
        self.wait_gone("DescribeDBInstances", "DBInstances", "DBInstanceIdentifier", instances)
        clusters = [c["cluster"] for c in found]
        for cluster in clusters:
            self.delete("DeleteDBCluster", "cluster %s" % cluster, DBClusterIdentifier=cluster)
        self.wait_gone("DescribeDBClusters", "DBClusters", "DBClusterIdentifier", clusters)
        self.module.exit_json(**self.result)


ARGUMENT_SPEC = {
    "environment": {"type": "str", "required": True},
    "tag_key": {"type": "str", "required": True},
    "name_prefix": {"type": "str", "required": True},
    "wait_timeout": {"type": "int", "default": 1800},
    "restore_job_id": {"type": "str"},
}


def main(module, clock=time.time, sleep=time.sleep):
    empty = [name for name in ("environment", "tag_key", "name_prefix") if not module.params[name]]
    if empty:  # an empty prefix would take any cluster named with 8 hex digits for a drill's
        module.fail_json(msg="%s must not be empty" % " and ".join(empty), changed=False, removed=[], api_calls=[])
    Cleaner(module, clock, sleep).run()


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": True, "aws": True}
    main = staticmethod(main)
