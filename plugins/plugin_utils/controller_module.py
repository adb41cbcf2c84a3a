# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's own modules, run in the controller's worker as action plugins (for speed).

An AnsiballZ module starts a Python process, compiles ansible's module_utils from a zip and imports boto3 again:
about 1 s of CPU a task. The worker already has them loaded. ``ControllerModule`` gives a module's logic what it
used of AnsibleAWSModule and AnsibleModule, with the same behaviour:

- ``params`` validated with the module's argument spec and its constraints (``mutually_exclusive``,
  ``required_one_of``, ...), as AnsibleModule validates them; with ``aws=True`` also amazon.aws's common options
  (access_key, secret_key, session_token, profile, region, endpoint_url, validate_certs, aws_ca_bundle,
  aws_config and their aliases and environment fallbacks), which go to the boto3 session;
- ``region`` (the option, else the environment, else the profile's, as AnsibleAWSModule finds it) and
  ``client(service, region)``: boto3 clients of one session, retried by botocore's standard mode;
- ``check_mode`` and ``_diff`` from the task; a module without check mode support is skipped in check mode;
- ``exit_json``, ``fail_json``, ``fail_json_aws`` (amazon.aws's message: ours, the AWS error code and message)
  and ``warn``; the result carries ``invocation``, ``warnings`` (and ``resource_actions`` with
  ``debug_botocore_endpoint_logs``) and, as AnsibleModule does, every value of a no_log option is removed from it
  (``remove_values``).

``exit_json`` and ``fail_json`` end the logic by raising ``ModuleExit`` with the result; ``ControllerModuleAction``
(the base of the action plugins) catches it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import logging
import os
import traceback
from contextlib import contextmanager

from ansible.errors import AnsibleError
from ansible.module_utils.basic import missing_required_lib, remove_values
from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import boto3, botocore, client_factory


def aws_argument_spec():
    """amazon.aws's common options, exactly as AnsibleAWSModule adds them (names, aliases, fallbacks, no_log)."""
    from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec as amazon_aws_spec

    return amazon_aws_spec()


class ModuleExit(Exception):
    """How ``exit_json`` and ``fail_json`` end a module's logic: with the result the task returns."""

    def __init__(self, result):
        super(ModuleExit, self).__init__(result.get("msg"))
        self.result = result


class ControllerModule(object):
    """What a module's logic uses of AnsibleAWSModule (``aws=True``) or AnsibleModule, on the controller."""

    botocore_retries = True  # module_clients: no amazon.aws retry decorator on these clients

    def __init__(
        self,
        name,
        task_args,
        argument_spec,
        check_mode=False,
        diff=False,
        supports_check_mode=False,
        aws=False,
        **constraints,
    ):
        self._name = name
        self.check_mode, self._diff = check_mode, diff
        self._warnings = []
        self._make_client = None
        self._connection_info = None
        self._botocore_endpoint_log_stream = self._endpoint_log_handler = None
        self.no_log_values = set()
        self.params = dict(task_args)
        spec = dict(aws_argument_spec(), **argument_spec) if aws else argument_spec
        validation = ModuleArgumentSpecValidator(spec, **constraints).validate(task_args)
        self.no_log_values.update(validation._no_log_values)  # pylint: disable=protected-access
        self.params = validation.validated_parameters
        if validation.error_messages:  # the first error, as AnsibleModule reports it
            message = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                message = "Unsupported parameters for (%s) module: %s" % (name, message)
            self.fail_json(msg=message)
        if check_mode and not supports_check_mode:  # AnsibleModule's words
            self.exit_json(skipped=True, msg="remote module (%s) does not support check mode" % name)
        if aws and boto3 is None:
            self.fail_json(msg=missing_required_lib("botocore and boto3"))
        if aws and self.params["debug_botocore_endpoint_logs"]:
            self._log_endpoint_calls()

    # --- AWS ---

    def _connection(self):
        """amazon.aws's reading of the common options: region, endpoint and the session's arguments."""
        from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info

        if self._connection_info is None:
            self._connection_info = get_aws_connection_info(self)
        return self._connection_info

    @property
    def region(self):
        return self._connection()[0]

    def client(self, service, region=None, retry_decorator=None):
        """A boto3 client of ``service`` in ``region`` (default: the module's), one session for the task.

        ``retry_decorator`` is AnsibleAWSModule's; here botocore's standard retry mode retries throttling."""
        region = region or self.region
        if not region:
            self.fail_json(
                msg="The %s module requires a region and none was found in configuration, "
                "environment variables or module parameters" % self._name
            )
        if self._make_client is None:
            endpoint_url, session = self._connection()[1:]
            self._make_client = client_factory(
                profile=session.get("profile_name"),
                endpoint_url=endpoint_url,
                access_key=session.get("aws_access_key_id"),
                secret_key=session.get("aws_secret_access_key"),
                session_token=session.get("aws_session_token"),
                verify=session.get("verify"),
                config=session.get("aws_config"),
            )
        try:
            return self._make_client(service, region)
        except (ValueError, botocore.exceptions.BotoCoreError) as e:
            self.fail_json_aws(e, msg="Couldn't connect to AWS")

    def _log_endpoint_calls(self):
        """debug_botocore_endpoint_logs: botocore's endpoint log, from which amazon.aws lists ``resource_actions``."""
        self._botocore_endpoint_log_stream = io.StringIO()
        self._endpoint_log_handler = logging.StreamHandler(self._botocore_endpoint_log_stream)
        logger = logging.getLogger("botocore.endpoint")
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self._endpoint_log_handler)

    def _resource_actions(self):
        from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

        logging.getLogger("botocore.endpoint").removeHandler(self._endpoint_log_handler)
        return AnsibleAWSModule._get_resource_action_list(self)  # pylint: disable=protected-access

    # --- the ends of a module ---

    def warn(self, warning):
        self._warnings.append(warning)

    def deprecate(self, msg, **kwargs):
        """AnsibleModule's deprecation, reported as a warning."""
        self.warn("Deprecated: %s" % msg)

    def debug(self, msg):
        """AnsibleModule logs it to the journal with -vvvv; nothing here."""

    def exit_json(self, **result):
        raise ModuleExit(self._formatted(result))

    def fail_json(self, msg, **result):
        result.update(failed=True, msg=str(msg))
        raise ModuleExit(self._formatted(result))

    def fail_json_aws(self, exception, msg=None, **result):
        """amazon.aws's failure: ``msg: <the exception's message>``, the response's error in snake case."""
        message = getattr(exception, "message", None) or str(exception)
        failure = {"msg": "%s: %s" % (msg, message) if msg is not None else message}
        failure.update(boto3_version=boto3.__version__, botocore_version=botocore.__version__)
        failure.update(result)
        response = getattr(exception, "response", None)
        if response is not None:
            failure.update(camel_dict_to_snake_dict(response))
        self.fail_json(**failure)

    def _formatted(self, result):
        """The result as AnsibleModule returns it: invocation, warnings, no_log values removed, plain JSON types."""
        result.setdefault("invocation", {"module_args": self.params})
        if self._endpoint_log_handler is not None:
            result["resource_actions"] = self._resource_actions()
        if self._warnings:
            result["warnings"] = list(dict.fromkeys(self._warnings))
        return json.loads(json.dumps(remove_values(result, self.no_log_values), cls=AnsibleJSONEncoder))


class ModuleRequests(object):
    """One service's requests for a module (a ``module_clients`` client): one that AWS refuses, or botocore cannot
    make, fails the module with amazon.aws's message and ``result`` - what the module did so far (its calls, a job
    a cleanup waits on)."""

    def __init__(self, module, client, service, result):
        self.module, self.client, self.service, self.result = module, client, service, result

    def call(self, action, **params):
        return self._request(self.client.call, action, params)

    def paginate(self, action, **params):
        """Every item of a list, from every page."""
        return self._request(self.client.paginate, action, params)

    def _request(self, method, action, params):
        try:
            return method(action, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="%s %s failed" % (self.service, action), **self.result)


@contextmanager
def environment(variables):
    """The task's ``environment:`` in this worker, as a module process would have had it (options fall back to it,
    botocore reads it); the worker's own afterwards."""
    saved = dict(os.environ)
    os.environ.update({str(k): str(v) for k, v in variables.items()})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class ControllerModuleAction(ActionBase):
    """An action plugin that runs a module's logic, ``main(module)``, in the worker with a ``ControllerModule``.

    A subclass sets MODULE (the module's argument_spec and constraints, as AnsibleModule takes them, plus
    ``supports_check_mode`` and ``aws``) and ``main`` (``main = staticmethod(main)``)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    MODULE = {}

    @staticmethod
    def main(module):
        raise NotImplementedError

    def module(self, name):
        """The module object ``main`` is given: a ControllerModule of the task's arguments."""
        return ControllerModule(
            name, self._task.args, check_mode=self._task.check_mode, diff=self._task.diff, **self.MODULE
        )

    def task_environment(self):
        """The task's (and its play's and blocks') ``environment:``, templated, later ones winning."""
        variables = {}
        environments = self._task.environment or []
        for entry in environments if isinstance(environments, list) else [environments]:
            if entry:
                rendered = self._templar.template(entry)
                if not isinstance(rendered, dict):
                    raise AnsibleError("environment must be a dictionary, received %s" % rendered)
                variables.update(rendered)
        return variables

    def run(self, tmp=None, task_vars=None):
        result = super(ControllerModuleAction, self).run(tmp, task_vars)
        name = self._task.action.split(".")[-1]
        with environment(self.task_environment()):
            try:
                module = self.module(name)
                try:
                    self.main(module)
                except Exception as e:  # pylint: disable=broad-exception-caught
                    if isinstance(e, ModuleExit):
                        raise
                    # A crash, which AnsiballZ reports as MODULE FAILURE: here too without the no_log values.
                    module.fail_json(
                        msg="MODULE FAILURE: %s: %s" % (type(e).__name__, e), module_stderr=traceback.format_exc()
                    )
            except ModuleExit as end:
                result.update(end.result)
                return result
        raise AnsibleError("%s returned without exit_json or fail_json" % name)
