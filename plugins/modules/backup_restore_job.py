#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup_restore_job
version_added: 1.0.0
short_description: Restore an AWS Backup recovery point and wait for the restored resource
description:
  - Starts an AWS Backup restore job (C(StartRestoreJob)) of one recovery point and waits until it ends
    (C(DescribeRestoreJob)), as the monthly restore test needs it. No module of amazon.aws starts restore jobs.
  - The recovery point is given (O(recovery_point_arn)), or the newest completed one of O(resource_arn) in
    O(backup_vault_name).
  - Returns the restored resource's ARN, the restore's duration and the recovery point's age when the restore
    started, the figures of a restore test report.
  - A restore job always creates a new resource, so the module always reports a change. In check mode it finds
    the recovery point and starts nothing.
  - For Aurora, AWS Backup restores the cluster without instances; add one to connect.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  recovery_point_arn:
    description: The recovery point to restore.
    type: str
  resource_arn:
    description: The protected resource whose newest completed recovery point in O(backup_vault_name) is restored.
    type: str
  backup_vault_name:
    description: The vault to look in, with O(resource_arn).
    type: str
  iam_role_arn:
    description: The role AWS Backup restores with (the backup stack's C(BackupRoleArn)).
    type: str
    required: true
  resource_type:
    description: The resource type of the recovery point, as AWS Backup names it.
    type: str
    default: Aurora
  metadata:
    description:
      - Restore metadata of the resource type, for Aurora C(DBClusterIdentifier) (required), C(Engine),
        C(DBSubnetGroupName), C(VpcSecurityGroupIds) (a JSON list), C(DeletionProtection), ...
      - Values are passed as strings; lists and dicts are written as JSON.
    type: dict
    required: true
  wait:
    description: Wait until the restore job ends.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait before failing with reason C(timeout).
    type: int
    default: 7200
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Restore the newest recovery point of the Aurora cluster into a temporary cluster
  ai_model_registry.infra.backup_restore_job:
    region: us-west-2
    resource_arn: arn:aws:rds:us-west-2:123456789012:cluster:ai-model-registry-aurora-cluster
    backup_vault_name: ai-model-registry-backup-vault
    iam_role_arn: arn:aws:iam::123456789012:role/ai-model-registry-backup-role
    metadata:
      DBClusterIdentifier: ai-model-registry-restore-test
      Engine: aurora-postgresql
      DBSubnetGroupName: ai-model-registry-aurora-subnets
      VpcSecurityGroupIds: [sg-0123456789abcdef0]
      DeletionProtection: false
  register: restore
"""

RETURN = r"""
restore_job:
  description: The restore job as C(DescribeRestoreJob) returns it, keys in snake case.
  returned: when a job was started
  type: dict
  sample: {"restore_job_id": "1F2E...", "status": "COMPLETED", "created_resource_arn": "arn:aws:rds:..."}
created_resource_arn:
  description: ARN of the restored resource; empty when the job did not complete.
  returned: always
  type: str
recovery_point:
  description: The restored recovery point, its creation time and age when the restore started.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the recovery point.
      type: str
    creation_date:
      description: When the recovery point was created (ISO 8601).
      type: str
    age_seconds:
      description: Age of the recovery point when the restore was requested.
      type: float
duration_seconds:
  description: Seconds from the restore request to the job's end; null without O(wait).
  returned: always
  type: float
reason:
  description: Why the module failed (no_recovery_point, restore_failed, timeout), for playbooks to branch on.
  returned: failure
  type: str
api_calls:
  description: The AWS API calls made, in order (C(service.Action)); a list read over several pages has one a page.
  returned: always
  type: list
  elements: str
"""

import json
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client, rpo
from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

MAX_POLL_DELAY = 15.0
ENDED = ("COMPLETED", "FAILED", "ABORTED")


def metadata_strings(metadata):
    """AWS Backup's Metadata is a map of strings: lists and dicts as JSON, booleans as true/false."""
    strings = {}
    for key, value in metadata.items():
        if isinstance(value, bool):
            strings[key] = "true" if value else "false"
        elif isinstance(value, (list, dict)):
            strings[key] = json.dumps(value)
        else:
            strings[key] = str(value)
    return strings


class Restore:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        clients = aws_client.module_clients(module)
        self.backup = clients("backup", module.region)
        self.api_calls = clients.api_calls
        self.result = {"changed": False, "created_resource_arn": "", "recovery_point": {}, "duration_seconds": None}

    def call(self, action, **params):
        return self._aws(self.backup.call, action, **params)

    def paginate(self, action, **params):
        """Every item of a list, from every page."""
        return self._aws(self.backup.paginate, action, **params)

    def _aws(self, method, action, **params):
        """An AWS Backup request; a failure fails the module with the calls made so far."""
        try:
            return method(action, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="AWS Backup %s failed" % action, api_calls=self.api_calls, **self.result)

    def fail(self, reason, msg):
        self.module.fail_json(msg=msg, reason=reason, api_calls=self.api_calls, **self.result)

    def recovery_point(self):
        params = self.params
        if params["recovery_point_arn"]:
            point = self.call(
                "DescribeRecoveryPoint",
                BackupVaultName=params["backup_vault_name"],
                RecoveryPointArn=params["recovery_point_arn"],
            )
            if point.get("Status") != "COMPLETED":
                status = point.get("Status")
                self.fail("no_recovery_point", "recovery point %s is %s" % (point["RecoveryPointArn"], status))
            return point
        points = self.paginate(
            "ListRecoveryPointsByBackupVault",
            BackupVaultName=params["backup_vault_name"],
            ByResourceArn=params["resource_arn"],
        )
        newest = rpo.newest_recovery_point(points)
        if newest is None:
            self.fail(
                "no_recovery_point",
                "no completed recovery point of %s in vault %s" % (params["resource_arn"], params["backup_vault_name"]),
            )
        return newest

    def wait(self, job_id, requested):
        deadline = requested + self.params["wait_timeout"]
        delays = gdb.backoff_delays(initial=1.0, maximum=MAX_POLL_DELAY)
        while True:
            job = self.call("DescribeRestoreJob", RestoreJobId=job_id)
            job.pop("ResponseMetadata", None)
            self.result["restore_job"] = camel_dict_to_snake_dict(job)
            if job["Status"] in ENDED:
                self.result["duration_seconds"] = round(time.time() - requested, 3)
                return job
            remaining = deadline - time.time()
            if remaining <= 0:
                self.fail(
                    "timeout",
                    "restore job %s is still %s after %s s" % (job_id, job["Status"], self.params["wait_timeout"]),
                )
            time.sleep(min(next(delays), remaining))

    def run(self):
        params = self.params
        point = self.recovery_point()
        now = rpo.now_utc()
        self.result["recovery_point"] = {
            "arn": point["RecoveryPointArn"],
            "creation_date": rpo.aware(point["CreationDate"]).isoformat(),
            "age_seconds": rpo.age_seconds(point["CreationDate"], now),
        }
        self.result["changed"] = True
        if self.module.check_mode:
            self.module.exit_json(api_calls=self.api_calls, **self.result)
        requested = time.time()
        started = self.call(
            "StartRestoreJob",
            RecoveryPointArn=point["RecoveryPointArn"],
            IamRoleArn=params["iam_role_arn"],
            ResourceType=params["resource_type"],
            Metadata=metadata_strings(params["metadata"]),
        )
        self.result["restore_job"] = {"restore_job_id": started["RestoreJobId"], "status": "PENDING"}
        if not params["wait"]:
            self.module.exit_json(api_calls=self.api_calls, **self.result)
        job = self.wait(started["RestoreJobId"], requested)
        self.result["created_resource_arn"] = job.get("CreatedResourceArn") or ""
        if job["Status"] != "COMPLETED":
            self.fail(
                "restore_failed",
                "restore job %s %s: %s" % (job["RestoreJobId"], job["Status"], job.get("StatusMessage", "no message")),
            )
        self.module.exit_json(api_calls=self.api_calls, **self.result)


def main():
    argument_spec = dict(
        recovery_point_arn=dict(type="str"),
        resource_arn=dict(type="str"),
        backup_vault_name=dict(type="str"),
        iam_role_arn=dict(type="str", required=True),
        resource_type=dict(type="str", default="Aurora"),
        metadata=dict(type="dict", required=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=7200),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_one_of=[["recovery_point_arn", "resource_arn"]],
        mutually_exclusive=[["recovery_point_arn", "resource_arn"]],
        required_by={"resource_arn": "backup_vault_name", "recovery_point_arn": "backup_vault_name"},
        supports_check_mode=True,
    )
    if module.params["resource_type"] == "Aurora" and not module.params["metadata"].get("DBClusterIdentifier"):
        module.fail_json(msg="metadata.DBClusterIdentifier is required to restore an Aurora cluster", api_calls=[])
    if module.params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be above 0", api_calls=[])
    Restore(module).run()


if __name__ == "__main__":
    main()
