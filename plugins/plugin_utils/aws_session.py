# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS clients for the collection's action plugins, which run in the controller's worker (boto3 imported once)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:  # the action plugins say so when they run
    boto3 = botocore = None

from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import ApiClients


def boto3_clients(profile=None, endpoint_url=None, max_attempts=10):
    """ApiClients from one boto3 session: the controller's credentials (or a profile); AWS_ENDPOINT_URL as
    botocore reads it unless an endpoint is given; throttling retried by botocore's standard mode."""
    session = boto3.session.Session(profile_name=profile)
    config = botocore.config.Config(
        retries={"mode": "standard", "max_attempts": max_attempts}, user_agent_extra="ai_model_registry.infra"
    )

    def make(service, region):
        return session.client(service, region_name=region, endpoint_url=endpoint_url, config=config)

    return ApiClients(make)
