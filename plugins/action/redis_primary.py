# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the clients of a Redis replication group write (documentation: plugins/modules/redis_primary.py): the
primary of its ElastiCache Global Datastore and that group's endpoint; without one, the group failover.yml rebuilt
in the DR region from a copy, while it exists. Reads only.

The k8s_secrets and dns roles point redis-credentials and the custom domain's Redis record with it, so a site.yml
run after a failover keeps them on the DR region's primary instead of the old primary, now a read-only secondary."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.module_utils.global_datastore import endpoint, find_primary
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import (
    SESSION_ARGUMENTS,
    AwsReadAction,
    warm,
)
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

warm("elasticache")

ARGUMENT_SPEC = {
    "region": {"type": "str", "required": True, "aliases": ["aws_region"]},
    "replication_group_id": {"type": "str", "required": True},
    "rebuilt": {
        "type": "dict",
        "options": {
            "replication_group_id": {"type": "str", "required": True},
            "region": {"type": "str", "required": True},
        },
    },
    **SESSION_ARGUMENTS,
}


class ActionModule(AwsReadAction):
    NAME = "redis_primary"
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def read(self, api, args):
        found = find_primary(api, args["region"], args["replication_group_id"])
        rebuilt = args["rebuilt"]
        if found["global_replication_group_id"] or not rebuilt:
            return dict(found, rebuilt=False)
        # without a Global Datastore: a group rebuilt in the DR region (failover.yml) serves while it exists
        try:
            group = api("elasticache", rebuilt["region"]).call(
                "DescribeReplicationGroups", ReplicationGroupId=rebuilt["replication_group_id"]
            )["ReplicationGroups"][0]
        except is_boto3_error_code("ReplicationGroupNotFoundFault"):
            return dict(found, rebuilt=False)
        return {
            "replication_group_id": rebuilt["replication_group_id"],
            "region": rebuilt["region"],
            "endpoint": endpoint(group),
            "global_replication_group_id": None,
            "rebuilt": True,
        }

    def failure(self, args, error):
        return "The primary of Redis replication group %s could not be read: %s" % (args["replication_group_id"], error)
