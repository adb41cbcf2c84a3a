# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the clients of a Redis replication group write (documentation: plugins/modules/redis_primary.py): the
primary of its ElastiCache Global Datastore and that group's endpoint. Reads only.

The k8s_secrets and dns roles point redis-credentials and the custom domain's Redis record with it, so a site.yml
run after a failover keeps them on the DR region's primary instead of the old primary, now a read-only secondary."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.module_utils.global_datastore import find_primary
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import (
    SESSION_ARGUMENTS,
    AwsReadAction,
)

ARGUMENT_SPEC = {
    "region": {"type": "str", "required": True, "aliases": ["aws_region"]},
    "replication_group_id": {"type": "str", "required": True},
    **SESSION_ARGUMENTS,
}


class ActionModule(AwsReadAction):
    NAME = "redis_primary"
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def read(self, api, args):
        return find_primary(api, args["region"], args["replication_group_id"])

    def failure(self, args, error):
        return "The primary of Redis replication group %s could not be read: %s" % (args["replication_group_id"], error)
