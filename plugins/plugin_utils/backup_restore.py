# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An AWS Backup restore job, from the choice of the recovery point to the job's end: the logic of the
backup_restore_job module, and the AWS Backup half of dr_drill_restore."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.ai_model_registry.infra.plugins.module_utils import global_cluster as gdb
from ansible_collections.ai_model_registry.infra.plugins.module_utils import rpo
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ModuleRequests

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


def point_summary(point, now):
    """What a result says of a recovery point (DescribeRecoveryPoint or ListRecoveryPointsBy* shapes)."""
    return {
        "arn": point["RecoveryPointArn"],
        "creation_date": rpo.aware(point["CreationDate"]).isoformat(),
        "age_seconds": rpo.age_seconds(point["CreationDate"], now),
    }


class BackupRestore:
    """The restore requests of one module. A failed request or job fails the module with ``result``, which the
    module's own result shares: the calls made so far and the job, for a cleanup to wait on."""

    def __init__(self, module, clients, result, clock=time.time, sleep=time.sleep):
        self.module, self.result = module, result
        self.backup = ModuleRequests(module, clients("backup", module.region), "AWS Backup", result)
        self.clock, self.sleep = clock, sleep

    def fail(self, reason, msg):
        self.module.fail_json(msg=msg, reason=reason, **self.result)

    def described_point(self, vault, arn):
        """The recovery point ``arn`` of ``vault``; fails unless it is COMPLETED."""
        point = self.backup.call("DescribeRecoveryPoint", BackupVaultName=vault, RecoveryPointArn=arn)
        if point.get("Status") != "COMPLETED":
            self.fail("no_recovery_point", "recovery point %s is %s" % (point["RecoveryPointArn"], point.get("Status")))
        return point

    def newest_point(self, vault, resource_arn):
        """The newest COMPLETED recovery point of ``resource_arn`` in ``vault`` (every page), or None."""
        points = self.backup.paginate(
            "ListRecoveryPointsByBackupVault", BackupVaultName=vault, ByResourceArn=resource_arn
        )
        return rpo.newest_recovery_point(points)

    def start(self, point, iam_role_arn, resource_type, metadata):
        """Start the job; ``result.restore_job`` names it from here on. The time it was requested."""
        requested = self.clock()
        started = self.backup.call(
            "StartRestoreJob",
            RecoveryPointArn=point["RecoveryPointArn"],
            IamRoleArn=iam_role_arn,
            ResourceType=resource_type,
            Metadata=metadata_strings(metadata),
        )
        self.result["restore_job"] = {"restore_job_id": started["RestoreJobId"], "status": "PENDING"}
        return requested

    def wait(self, requested, deadline, wait_timeout):
        """Poll the started job until it ends; fails at ``deadline`` (``wait_timeout`` s after the module's start, as
        the message says) and unless it COMPLETED. Sets ``duration_seconds`` (from the request) and
        ``created_resource_arn``; the ended job."""
        job_id = self.result["restore_job"]["restore_job_id"]
        delays = gdb.backoff_delays(initial=1.0, maximum=MAX_POLL_DELAY)
        while True:
            job = self.backup.call("DescribeRestoreJob", RestoreJobId=job_id)
            job.pop("ResponseMetadata", None)
            self.result["restore_job"] = camel_dict_to_snake_dict(job)
            if job["Status"] in ENDED:
                break
            remaining = deadline - self.clock()
            if remaining <= 0:
                self.fail("timeout", "restore job %s is still %s after %s s" % (job_id, job["Status"], wait_timeout))
            self.sleep(min(next(delays), remaining))
        self.result["duration_seconds"] = round(self.clock() - requested, 3)
        self.result["created_resource_arn"] = job.get("CreatedResourceArn") or ""
        if job["Status"] != "COMPLETED":
            self.fail(
                "restore_failed",
                "restore job %s %s: %s" % (job_id, job["Status"], job.get("StatusMessage", "no message")),
            )
        return job
