# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DR readiness of an environment (documentation: plugins/modules/dr_readiness.py): the DR region's database against
the writer's, and the last drill of each type against its cadence. Reads only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import drill_report, readiness
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.arguments import validated_arguments
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import (
    SESSION_ARGUMENTS,
    boto3,
    botocore,
    session_clients,
    warm,
)

warm("rds", "s3")

ARGUMENT_SPEC = {
    "region": {"type": "str", "required": True},
    "global_cluster_identifier": {"type": "str", "required": True},
    "environment": {"type": "str", "required": True},
    "bucket": {"type": "str", "required": True},
    "history_prefix": {"type": "str", "default": "dr-history"},
    "cadence": {"type": "dict", "required": True},
    **SESSION_ARGUMENTS,
}


def members(api, region, global_cluster):
    """The profile of each member cluster of the global database, the writer first."""
    found = api("rds", region).call("DescribeGlobalClusters", GlobalClusterIdentifier=global_cluster)
    profiles = []
    for member in sorted(found["GlobalClusters"][0].get("GlobalClusterMembers", []), key=lambda m: not m["IsWriter"]):
        arn = member["DBClusterArn"]  # arn:aws:rds:<region>:<account>:cluster:<id>
        rds = api("rds", arn.split(":")[3])
        cluster = rds.call("DescribeDBClusters", DBClusterIdentifier=arn.split(":")[-1])["DBClusters"][0]
        instances = rds.paginate(
            "DescribeDBInstances", Filters=[{"Name": "db-cluster-id", "Values": [cluster["DBClusterIdentifier"]]}]
        )
        group = cluster.get("DBClusterParameterGroup")
        family = rds.call("DescribeDBClusterParameterGroups", DBClusterParameterGroupName=group)[
            "DBClusterParameterGroups"
        ][0]["DBParameterGroupFamily"]
        parameters = rds.paginate("DescribeDBClusterParameters", DBClusterParameterGroupName=group, Source="user")
        values = {p["ParameterName"]: p.get("ParameterValue") for p in parameters}
        profile = readiness.cluster_profile(cluster, instances, arn.split(":")[3], family, values)
        profile["writer"] = bool(member["IsWriter"])
        profiles.append(profile)
    return profiles


def history(api, region, args):
    """The environment's drill history index, or none yet."""
    key = "%s/%s/index.json" % (args["history_prefix"].rstrip("/"), args["environment"])
    try:
        return json.loads(api("s3", region).call("GetObject", Bucket=args["bucket"], Key=key)["Body"].read())
    except botocore.exceptions.ClientError as e:
        if e.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
            raise
        return {"runs": []}


def assess(api, args, now):
    profiles = members(api, args["region"], args["global_cluster_identifier"])
    writer = profiles[0]
    parity = [finding for secondary in profiles[1:] for finding in readiness.parity_findings(writer, secondary)]
    if len(profiles) < 2:
        parity.append("global database %s has no secondary region" % args["global_cluster_identifier"])
    status = drill_report.cadence_status(history(api, args["region"], args), args["cadence"], now)
    drills = readiness.drill_findings(status, now)
    return {
        "changed": False,
        "clusters": profiles,
        "writer_arn": writer["arn"],
        "drills": status,
        "summary": readiness.drill_lines(status)
        + [
            "parity of %s with the writer %s: %s"
            % (
                ", ".join(p["cluster"] for p in profiles[1:]) or "no secondary",
                writer["cluster"],
                "; ".join(parity) or "ok",
            )
        ],
        "findings": parity + drills,
        "parity_findings": parity,
        "drill_findings": drills,
        "ready": not (parity or drills),
    }


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = validated_arguments(self._task.args, ARGUMENT_SPEC, "dr_readiness")
        if boto3 is None:
            raise AnsibleActionFail("dr_readiness needs boto3 and botocore on the controller")
        api = session_clients(args)
        try:
            result.update(assess(api, args, time.time()))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            result.update(failed=True, msg="DR readiness could not be read: %s" % e)
        result["api_calls"] = api.api_calls
        return result
