# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the Aurora global database's writer is (documentation: plugins/modules/aurora_writer.py): the global
database and, when the writer is not the caller's own cluster, the writer cluster. Reads only.

The k8s_secrets and dns roles point the application and the custom domain at the writer; both read it here, in the
controller's worker, instead of two module processes each."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import (
    SESSION_ARGUMENTS,
    AwsReadAction,
    warm,
)

warm("rds")

ARGUMENT_SPEC = {
    "region": {"type": "str", "required": True, "aliases": ["aws_region"]},
    "global_cluster_identifier": {"type": "str", "required": True},
    "own_cluster_arn": {"type": "str"},
    **SESSION_ARGUMENTS,
}


def find_writer(api, region, global_cluster_identifier, own_cluster_arn=None):
    """The global database (snake_case, as amazon.aws.rds_global_cluster_info returns it), its writer's ARN, and
    the writer cluster (as amazon.aws.rds_cluster_info returns it) unless it is ``own_cluster_arn`` - that one's
    endpoints are in the caller's stack outputs."""
    found = api("rds", region).call("DescribeGlobalClusters", GlobalClusterIdentifier=global_cluster_identifier)
    global_cluster = camel_dict_to_snake_dict(found["GlobalClusters"][0])
    writers = [m["db_cluster_arn"] for m in global_cluster.get("global_cluster_members") or [] if m.get("is_writer")]
    result = {"global_cluster": global_cluster, "writer_arn": writers[0] if writers else None, "writer_cluster": None}
    if writers and writers[0] != own_cluster_arn:
        arn = writers[0]  # arn:aws:rds:<region>:<account>:cluster:<id>
        clusters = api("rds", arn.split(":")[3]).call("DescribeDBClusters", DBClusterIdentifier=arn.split(":")[-1])
        result["writer_cluster"] = camel_dict_to_snake_dict(clusters["DBClusters"][0])
    return result


class ActionModule(AwsReadAction):
    NAME = "aurora_writer"
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def read(self, api, args):
        return find_writer(api, args["region"], args["global_cluster_identifier"], args["own_cluster_arn"])

    def failure(self, args, error):
        return "The writer of %s could not be read: %s" % (args["global_cluster_identifier"], error)
