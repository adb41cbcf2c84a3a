# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS clients for the collection's action plugins, which run in the controller's worker (boto3 imported once)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import os

try:
    import boto3
    import botocore.config
    import botocore.exceptions
    import botocore.session
except ImportError:  # the action plugins say so when they run
    boto3 = botocore = None

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import ApiClients
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.arguments import validated_arguments

# One botocore data loader for every session, filled where the action plugins are imported: the strategy imports
# them in ansible-playbook's own process, and each task runs in a fork of it, which inherits the parsed JSON. Read
# here: botocore's endpoints, partitions and defaults; each plugin reads the models of the services it calls in most
# tasks with ``warm`` when it is imported, so a run reads those of the plugins it uses (4 clients of a task: 0.19 s
# of CPU with a loader of their own, 0.04 s with this one; a run of one small module no longer reads six models it
# does not call, 0.3 s). Services called once a run (ec2 in the preflight) are read where they are used.
_LOADER = None
if boto3 is not None:
    _LOADER = botocore.session.get_session().get_component("data_loader")
    for _data in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
        _LOADER.load_data(_data)
    _LOADER.list_available_services("service-2")


def warm(*services):
    """Read the botocore models of ``services`` into the shared loader, in the process that imports the caller."""
    for service in services if _LOADER is not None else ():
        # The loader caches by its arguments as given: called as botocore's ClientCreator and paginators call it.
        _LOADER.load_service_model(service, "endpoint-rule-set-1", api_version=None)
        version = _LOADER.load_service_model(service, "service-2", api_version=None)["metadata"]["apiVersion"]
        _LOADER.load_service_model(service, "paginators-1", version)


# Each task's fork inherits ansible-playbook's objects (the playbook, the loaded plugins, the loader above); the
# fork's garbage collector would walk them all, writing to each and so copying every page they are on. Frozen in the
# parent for the fork (https://docs.python.org/3/library/gc.html#gc.freeze), the fork leaves them alone; the parent
# unfreezes at once and collects as before. A no-op site.yml: 8 % less CPU.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=gc.freeze, after_in_parent=gc.unfreeze)


# The options of the action plugins that call AWS with this session (doc fragment
# ai_model_registry.infra.controller_aws).
SESSION_ARGUMENTS = {
    "profile": {"type": "str", "aliases": ["aws_profile"]},
    "endpoint_url": {"type": "str", "aliases": ["aws_endpoint_url"]},
}


def client_factory(
    profile=None,
    endpoint_url=None,
    max_attempts=10,
    access_key=None,
    secret_key=None,
    session_token=None,
    verify=None,
    config=None,
):
    """``make(service, region)`` -> a boto3 client, all from one boto3 session: a profile or keys (else the
    controller's credentials); AWS_ENDPOINT_URL as botocore reads it unless an endpoint is given; throttling retried
    by botocore's standard mode, as amazon.aws's modules retry it; ``config`` (a botocore Config) merged last."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    session = boto3.session.Session(
        botocore_session=core,
        profile_name=profile,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        aws_session_token=session_token,
    )
    merged = botocore.config.Config(
        retries={"mode": "standard", "max_attempts": max_attempts}, user_agent_extra="ai_model_registry.infra"
    )
    if config is not None:
        merged = merged.merge(config)

    def make(service, region):
        return session.client(service, region_name=region, endpoint_url=endpoint_url, verify=verify, config=merged)

    return make


def boto3_clients(profile=None, endpoint_url=None, max_attempts=10, **credentials):
    """ApiClients of ``client_factory``'s clients (the same arguments)."""
    return ApiClients(client_factory(profile, endpoint_url, max_attempts, **credentials))


def session_clients(args):
    """``boto3_clients`` of an action plugin's validated SESSION_ARGUMENTS."""
    return boto3_clients(args["profile"], args["endpoint_url"])


class AwsReadAction(ActionBase):
    """An action plugin that only reads AWS, with the session options: a subclass sets NAME and ARGUMENT_SPEC (with
    SESSION_ARGUMENTS) and defines ``read(api, args) -> dict`` and ``failure(args, error) -> message``. The result
    is what ``read`` returns, never changed, with the API calls made; an AWS error is a failed result."""

    TRANSFERS_FILES = False
    _requires_connection = False
    NAME = None
    ARGUMENT_SPEC = None

    def read(self, api, args):
        raise NotImplementedError

    def failure(self, args, error):
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super(AwsReadAction, self).run(tmp, task_vars)
        args = validated_arguments(self._task.args, self.ARGUMENT_SPEC, self.NAME)
        if boto3 is None:
            raise AnsibleActionFail("%s needs boto3 and botocore on the controller" % self.NAME)
        api = session_clients(args)
        try:
            result.update(self.read(api, args), changed=False)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            result.update(failed=True, msg=self.failure(args, e))
        result["api_calls"] = api.api_calls
        return result
