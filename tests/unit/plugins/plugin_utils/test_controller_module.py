"""ControllerModule: a module's logic on the controller behaves as under AnsibleAWSModule and AnsibleModule."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import controller_module
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import (
    ControllerModule,
    ModuleExit,
)

SPEC = {
    "name": {"type": "str", "required": True},
    "count": {"type": "int", "default": 1},
    "password": {"type": "str", "no_log": True},
    "other": {"type": "str"},
}


def _end(**kwargs):
    """The result a ControllerModule made of these arguments ends with (validation failures, check mode)."""
    with pytest.raises(ModuleExit) as end:
        module = ControllerModule("demo", argument_spec=SPEC, **kwargs)
        module.exit_json(changed=False)
    return end.value.result


@pytest.fixture(autouse=True)
def _no_aws_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


def test_arguments_are_validated_converted_and_completed_with_defaults():
    module = ControllerModule("demo", {"name": "x", "count": "3"}, SPEC)
    assert module.params == {"name": "x", "count": 3, "password": None, "other": None}


def test_the_first_validation_error_fails_as_ansible_module_reports_it():
    result = _end(task_args={"count": "many"})
    assert result["failed"] is True and result["msg"] == "missing required arguments: name"
    assert "Unsupported parameters for (demo) module: colour" in _end(task_args={"name": "x", "colour": 1})["msg"]


def test_constraints_of_the_module_are_checked():
    result = _end(
        task_args={"name": "x", "password": "long-secret", "other": "o"}, mutually_exclusive=[["password", "other"]]
    )
    assert result["failed"] and "mutually exclusive: password|other" in result["msg"]


def test_no_log_values_leave_the_result_and_its_invocation():
    module = ControllerModule("demo", {"name": "x", "password": "s3cret-value"}, SPEC)
    with pytest.raises(ModuleExit) as end:
        module.fail_json(msg="could not log in with s3cret-value", detail={"echo": ["s3cret-value"]})
    result = end.value.result
    assert "s3cret-value" not in repr(result)
    assert result["invocation"]["module_args"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert result["invocation"]["module_args"]["name"] == "x"


def test_warnings_are_returned_once_each():
    module = ControllerModule("demo", {"name": "x"}, SPEC)
    module.warn("careful")
    module.warn("careful")
    with pytest.raises(ModuleExit) as end:
        module.exit_json(changed=True)
    assert end.value.result["warnings"] == ["careful"] and end.value.result["changed"] is True


def test_check_mode_without_support_skips_as_ansible_module_does():
    result = _end(task_args={"name": "x"}, check_mode=True, supports_check_mode=False)
    assert result["skipped"] is True and result["msg"] == "remote module (demo) does not support check mode"
    module = ControllerModule("demo", {"name": "x"}, SPEC, check_mode=True, diff=True, supports_check_mode=True)
    assert module.check_mode is True and module._diff is True


def test_results_are_plain_json_values():
    import datetime

    module = ControllerModule("demo", {"name": "x"}, SPEC)
    with pytest.raises(ModuleExit) as end:
        module.exit_json(at=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
    assert end.value.result["at"] == "2026-01-02T03:04:05+00:00"


def test_fail_json_aws_says_the_aws_error_as_amazon_aws_does():
    module = ControllerModule("demo", {"name": "x"}, SPEC, aws=True)
    error = ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "DescribeGlobalClusters")
    with pytest.raises(ModuleExit) as end:
        module.fail_json_aws(error, msg="Could not describe", api_calls=["rds.DescribeGlobalClusters"])
    result = end.value.result
    assert result["msg"] == (
        "Could not describe: An error occurred (Throttling) when calling the DescribeGlobalClusters operation: "
        "Rate exceeded"
    )
    assert result["error"] == {"code": "Throttling", "message": "Rate exceeded"}
    assert result["api_calls"] == ["rds.DescribeGlobalClusters"] and result["boto3_version"]


def test_aws_options_and_their_aliases_reach_the_boto3_client():
    args = {
        "name": "x",
        "aws_region": "eu-west-1",
        "aws_access_key_id": "AKIDEXAMPLE",
        "aws_secret_access_key": "secret-key-value",
        "aws_session_token": "session-token-value",
        "aws_endpoint_url": "http://127.0.0.1:1",
    }
    module = ControllerModule("demo", args, SPEC, aws=True)
    assert module.region == "eu-west-1"
    client = module.client("rds")
    assert client.meta.region_name == "eu-west-1" and client.meta.endpoint_url == "http://127.0.0.1:1"
    credentials = client._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key, credentials.token) == (
        "AKIDEXAMPLE",
        "secret-key-value",
        "session-token-value",
    )
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 11}
    assert module.client("cloudwatch", "us-east-1").meta.region_name == "us-east-1"
    with pytest.raises(ModuleExit) as end:
        module.exit_json(changed=False)
    assert "secret-key-value" not in repr(end.value.result) and "session-token-value" not in repr(end.value.result)


def test_the_region_falls_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    assert ControllerModule("demo", {"name": "x"}, SPEC, aws=True).region == "ap-southeast-2"


def test_without_a_region_a_client_fails_as_amazon_aws_says():
    module = ControllerModule("demo", {"name": "x"}, SPEC, aws=True)
    with pytest.raises(ModuleExit) as end:
        module.client("rds")
    assert end.value.result["msg"].startswith("The demo module requires a region and none was found")


def test_a_profile_and_keys_together_are_refused_before_any_call():
    module = ControllerModule("demo", {"name": "x", "profile": "p", "access_key": "a", "region": "r"}, SPEC, aws=True)
    with pytest.raises(ModuleExit) as end:
        module.client("rds")
    assert end.value.result["msg"] == "Passing both a profile and access tokens is not supported."


def test_the_task_environment_is_seen_only_while_the_module_runs(monkeypatch):
    monkeypatch.delenv("DEMO_SETTING", raising=False)
    with controller_module.environment({"DEMO_SETTING": 5}):
        import os

        assert os.environ["DEMO_SETTING"] == "5"
    assert "DEMO_SETTING" not in os.environ


class _Task:
    action = "ai_model_registry.infra.demo"
    check_mode = diff = False
    environment = [{"DEMO_ENDPOINT": "{{ endpoint }}"}]

    def __init__(self, args):
        self.args = args


class _Templar:
    def template(self, value):
        return {key: text.replace("{{ endpoint }}", "http://127.0.0.1:9") for key, text in value.items()}


def _action(main, args):
    """A ControllerModuleAction of ``main`` for a task with ``args``, without the rest of Ansible's machinery."""

    class Action(controller_module.ControllerModuleAction):
        MODULE = {"argument_spec": SPEC, "supports_check_mode": True}

    Action.main = staticmethod(main)
    action = Action.__new__(Action)
    action._task, action._templar = _Task(args), _Templar()
    return action


def test_the_action_runs_main_in_the_task_environment_and_returns_its_result(monkeypatch):
    import os

    monkeypatch.setattr(controller_module.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})

    def main(module):
        module.exit_json(changed=True, seen=os.environ.get("DEMO_ENDPOINT"), name=module.params["name"])

    result = _action(main, {"name": "x"}).run(task_vars={})
    assert result["changed"] is True and result["seen"] == "http://127.0.0.1:9" and result["name"] == "x"
    assert "DEMO_ENDPOINT" not in os.environ


def test_a_crash_of_main_fails_the_task_without_no_log_values(monkeypatch):
    monkeypatch.setattr(controller_module.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})

    def main(module):
        raise RuntimeError(f"could not log in as x with {module.params['password']}")

    result = _action(main, {"name": "x", "password": "long-secret"}).run(task_vars={})
    assert result["failed"] is True and result["msg"].startswith("MODULE FAILURE: RuntimeError: could not log in")
    assert "long-secret" not in repr(result) and "RuntimeError" in result["module_stderr"]


def test_debug_botocore_endpoint_logs_lists_the_resource_actions_as_amazon_aws_does():
    import logging

    args = {"name": "x", "region": "us-east-1", "debug_botocore_endpoint_logs": True}
    module = ControllerModule("demo", args, SPEC, aws=True)
    logging.getLogger("botocore.endpoint").debug(  # what botocore logs as it sends a request
        "Making request for OperationModel(name=GetCallerIdentity) with params: {'url': 'https://sts.amazonaws.com/'}"
    )
    with pytest.raises(ModuleExit) as end:
        module.exit_json(changed=False)
    assert end.value.result["resource_actions"] == ["sts:GetCallerIdentity"]
    assert module._endpoint_log_handler not in logging.getLogger("botocore.endpoint").handlers
