"""The stack action plugin's runner against a scripted CloudFormation: the calls it makes on each path."""

from __future__ import annotations

import datetime
from unittest import mock

import botocore.exceptions
import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.ai_model_registry.infra.plugins.action import cloudformation_stack as plugin
from ansible_collections.ai_model_registry.infra.plugins.action.cloudformation_stack import StackFailed, StackRunner
from tests.unit.plugins.helpers import action_of

TEMPLATE = "Parameters: {Name: {Type: String}}\nResources: {Topic: {Type: AWS::SNS::Topic}}\n"
SHORT_TEMPLATE = """
Parameters: {Name: {Type: String}}
Resources:
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref Name}}
"""
ID = "arn:aws:cloudformation:us-west-2:123456789012:stack/s/1"


def _missing():
    return botocore.exceptions.ClientError(
        {"Error": {"Code": "ValidationError", "Message": "Stack with id s does not exist"}}, "DescribeStacks"
    )


class FakeCloudFormation:
    """A stack as DescribeStacks shows it; each write queues the statuses the next reads will see."""

    def __init__(self, status=None, template=TEMPLATE, parameters=None, tags=None, protection=False, drift="IN_SYNC"):
        self.api_calls = []
        self.template = template
        self.stack = None
        if status:
            self.stack = {
                "StackName": "s",
                "StackId": ID,
                "StackStatus": status,
                "Parameters": [
                    {"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {"Name": "x"}).items()
                ],
                "Tags": [{"Key": k, "Value": v} for k, v in (tags or {"Project": "p"}).items()],
                "EnableTerminationProtection": protection,
                "Outputs": [{"OutputKey": "TopicArn", "OutputValue": "arn:topic"}],
            }
        self.next_statuses = []
        self.events = []
        self.drift = drift
        self.requests = {}

    def __call__(self, service, region):
        return self if service == "cloudformation" else _Service(self, service)

    # the ApiClient interface
    def call(self, action, **params):
        self.api_calls.append("cloudformation." + action)
        self.requests[action] = params
        return getattr(self, action)(**params)

    def paginate(self, action, key=None, **params):
        return self.call(action, **params)[key]

    def pages(self, action, **params):
        yield self.call(action, **params)  # one page: the fake answers whole lists

    def _operation(self, start, *statuses, failed=None):
        self.events = [
            {
                "EventId": "e0",
                "LogicalResourceId": "s",
                "ResourceType": "AWS::CloudFormation::Stack",
                "ResourceStatus": start,
                "ResourceStatusReason": "User Initiated",
            },
        ]
        if failed:
            self.events.insert(
                0,
                {
                    "EventId": "e1",
                    "LogicalResourceId": "Topic",
                    "ResourceType": "AWS::SNS::Topic",
                    "ResourceStatus": start.replace("IN_PROGRESS", "FAILED"),
                    "ResourceStatusReason": failed,
                },
            )
        self.next_statuses = list(statuses)

    def DescribeStacks(self, StackName):
        if self.stack is None:
            raise _missing()
        if self.next_statuses:
            self.stack["StackStatus"] = self.next_statuses.pop(0)
        return {"Stacks": [dict(self.stack)]}

    def GetTemplate(self, StackName, TemplateStage):
        return {"TemplateBody": self.template}

    def DescribeStackEvents(self, StackName):
        return {"StackEvents": list(self.events)}

    def CreateStack(self, **request):
        self.stack = {"StackName": "s", "StackId": ID, "StackStatus": "CREATE_IN_PROGRESS", "Outputs": []}
        self._operation("CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", self.create_outcome)
        return {"StackId": ID}

    create_outcome = "CREATE_COMPLETE"

    def UpdateStack(self, **request):
        self._operation("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE")
        return {"StackId": ID}

    def UpdateTerminationProtection(self, StackName, EnableTerminationProtection):
        self.stack["EnableTerminationProtection"] = EnableTerminationProtection
        return {"StackId": ID}

    def DeleteStack(self, StackName, RoleARN=None):
        self._operation("DELETE_IN_PROGRESS", "DELETE_COMPLETE")

    def CreateChangeSet(self, **request):
        return {"Id": "cs"}

    def DescribeChangeSet(self, StackName, ChangeSetName):
        return {
            "Status": "CREATE_COMPLETE",
            "Changes": [
                {
                    "ResourceChange": {
                        "Action": "Modify",
                        "LogicalResourceId": "Topic",
                        "ResourceType": "AWS::SNS::Topic",
                    }
                }
            ],
        }

    def DeleteChangeSet(self, StackName, ChangeSetName):
        return {}

    uploaded: dict = {}  # the template bucket's objects, by key

    def HeadObject(self, Bucket, Key):
        if Key not in self.uploaded:
            raise botocore.exceptions.ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadObject")
        return {}

    def PutObject(self, Bucket, Key, Body):
        self.uploaded = {**self.uploaded, Key: Body}
        return {}

    def DetectStackDrift(self, StackName):
        return {"StackDriftDetectionId": "d1"}

    def DescribeStackDriftDetectionStatus(self, StackDriftDetectionId):
        return {"DetectionStatus": "DETECTION_COMPLETE", "StackDriftStatus": self.drift}

    def DescribeStackResourceDrifts(self, StackName, StackResourceDriftStatusFilters):
        return {
            "StackResourceDrifts": [
                {
                    "LogicalResourceId": "Topic",
                    "ResourceType": "AWS::SNS::Topic",
                    "StackResourceDriftStatus": "MODIFIED",
                    "PropertyDifferences": [
                        {
                            "PropertyPath": "/DisplayName",
                            "ExpectedValue": "a",
                            "ActualValue": "b",
                            "DifferenceType": "NOT_EQUAL",
                        }
                    ],
                }
            ]
        }


class _Service:
    """Another service's client of the same fake (the template bucket's S3)."""

    def __init__(self, fake, service):
        self.fake, self.service = fake, service

    def call(self, action, **params):
        self.fake.api_calls.append(f"{self.service}.{action}")
        self.fake.requests[action] = params
        return getattr(self.fake, action)(**params)


def _args(**changes):
    args = {
        "name": "s",
        "region": "us-west-2",
        "state": "present",
        "parameters": {"Name": "x"},
        "tags": {"Project": "p"},
        "termination_protection": False,
        "capabilities": ["CAPABILITY_IAM"],
        "timeout_minutes": 1,
        "poll_seconds": 1,
        "drift": "report",
        "drift_max_age": 0,
        "template_bucket": None,
        "delete_protected": False,
    }
    args.update(changes)
    return args


def _runner(fake, check_mode=False, lines=None, **changes):
    clock = [0.0]

    def sleep(seconds):
        clock[0] += seconds

    return StackRunner(
        fake,
        _args(**changes),
        check_mode=check_mode,
        say=(lines if lines is not None else []).append,
        sleep=sleep,
        clock=lambda: clock[0],
    )


def test_nothing_to_change_costs_two_reads_without_drift_detection():
    fake = FakeCloudFormation("UPDATE_COMPLETE")
    result = _runner(fake, drift="skip").present(TEMPLATE)
    assert fake.api_calls == ["cloudformation.DescribeStacks", "cloudformation.GetTemplate"]
    assert (result["changed"], result["action"], result["outputs"]) == (False, "none", {"TopicArn": "arn:topic"})


LARGE_TEMPLATE = TEMPLATE + "Description: " + "x" * 51200 + "\n"


def test_a_template_over_the_request_limit_is_read_from_the_template_bucket():
    fake = FakeCloudFormation()
    _runner(fake, template_bucket="templates").present(LARGE_TEMPLATE)
    key, url = plugin.cfn.template_object("templates", "us-west-2", "s", LARGE_TEMPLATE)
    assert fake.api_calls[1:4] == ["s3.HeadObject", "s3.PutObject", "cloudformation.CreateStack"]
    assert fake.requests["CreateStack"]["TemplateURL"] == url and "TemplateBody" not in fake.requests["CreateStack"]
    assert fake.uploaded == {key: LARGE_TEMPLATE.encode()}
    assert url == "https://templates.s3.us-west-2.amazonaws.com/" + key
    assert key.startswith("cloudformation-templates/s/")
    # a preview in check mode uploads nothing: no change set for a new template that is not in the bucket yet
    fake = FakeCloudFormation("CREATE_COMPLETE", parameters={"Name": "x"})
    lines = []
    result = _runner(fake, check_mode=True, lines=lines, template_bucket="templates").present(LARGE_TEMPLATE)
    assert "s3.PutObject" not in fake.api_calls and "cloudformation.CreateChangeSet" not in fake.api_calls
    assert result["action"] == "preview" and "check mode does not upload it" in " ".join(lines)
    # once there (a run uploaded it), the preview's change set reads it, and an update does not upload it again
    fake.uploaded = {key: LARGE_TEMPLATE.encode()}
    _runner(fake, check_mode=True, template_bucket="templates").present(LARGE_TEMPLATE)
    assert fake.requests["CreateChangeSet"]["TemplateURL"] == url
    fake.api_calls.clear()
    _runner(fake, template_bucket="templates").present(LARGE_TEMPLATE)
    assert "s3.PutObject" not in fake.api_calls and fake.requests["UpdateStack"]["TemplateURL"] == url


def test_a_short_form_template_deployed_compares_equal_to_its_long_form():
    long_form = SHORT_TEMPLATE.replace("!Ref Name", "{Ref: Name}")
    fake = FakeCloudFormation("CREATE_COMPLETE", template=long_form)
    assert _runner(fake, drift="skip").present(SHORT_TEMPLATE)["action"] == "none"


def test_drift_is_reported_as_a_warning_and_can_fail_the_run():
    fake = FakeCloudFormation("CREATE_COMPLETE", drift="DRIFTED")
    result = _runner(fake).present(TEMPLATE)
    assert result["drift"]["status"] == "DRIFTED"
    assert result["drift"]["drifted_resources"][0]["property_differences"][0]["path"] == "/DisplayName"
    assert "/DisplayName: expected a, actual b" in result["warnings"][0]
    with pytest.raises(StackFailed, match="has drifted") as failed:
        _runner(FakeCloudFormation("CREATE_COMPLETE", drift="DRIFTED"), drift="fail").present(TEMPLATE)
    assert failed.value.reason == "drifted"


def test_a_recent_drift_detection_is_reported_in_two_reads_an_old_one_is_run_again():
    checked = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    fake = FakeCloudFormation("UPDATE_COMPLETE", drift="DRIFTED")
    fake.stack["DriftInformation"] = {"StackDriftStatus": "IN_SYNC", "LastCheckTimestamp": checked}
    result = _runner(fake, drift_max_age=3600).present(TEMPLATE)
    assert fake.api_calls == ["cloudformation.DescribeStacks", "cloudformation.GetTemplate"]
    assert result["drift"]["status"] == "IN_SYNC" and not result["drift"]["detected"]
    assert 595 <= result["drift"]["age_seconds"] <= 605 and result["drift"]["checked_at"] == checked.isoformat()
    # CloudFormation's last result was DRIFTED: its resources are read, and fail the run with drift=fail
    fake.stack["DriftInformation"]["StackDriftStatus"] = "DRIFTED"
    fake.api_calls.clear()
    with pytest.raises(StackFailed, match="has drifted"):
        _runner(fake, drift_max_age=3600, drift="fail").present(TEMPLATE)
    assert fake.api_calls[-1] == "cloudformation.DescribeStackResourceDrifts"
    assert "cloudformation.DetectStackDrift" not in fake.api_calls
    # older than drift_max_age: a new detection, whose result (the fake's DRIFTED) is reported
    fake.api_calls.clear()
    result = _runner(fake, drift_max_age=300).present(TEMPLATE)
    assert "cloudformation.DetectStackDrift" in fake.api_calls
    assert result["drift"]["status"] == "DRIFTED" and result["drift"]["detected"]


def test_create_shows_each_event_once_and_returns_the_outputs():
    fake = FakeCloudFormation()
    lines = []
    result = _runner(fake, lines=lines).present(TEMPLATE)
    assert result["action"] == "create" and result["changed"] and result["status"] == "CREATE_COMPLETE"
    assert fake.requests["CreateStack"]["Parameters"] == [{"ParameterKey": "Name", "ParameterValue": "x"}]
    assert fake.requests["CreateStack"]["OnFailure"] == "ROLLBACK"
    assert len([line for line in lines if "User Initiated" in line]) == 1
    assert "cloudformation.DetectStackDrift" not in fake.api_calls  # a stack just created has not drifted


def test_a_failed_create_names_the_failed_resource():
    fake = FakeCloudFormation()
    fake.create_outcome = "ROLLBACK_COMPLETE"
    original = fake.CreateStack

    def create(**request):
        answer = original(**request)
        fake._operation("CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE", failed="Quota exceeded")
        return answer

    fake.CreateStack = create
    with pytest.raises(StackFailed) as failed:
        _runner(fake).present(TEMPLATE)
    assert "Topic (AWS::SNS::Topic): CREATE_FAILED - Quota exceeded" in failed.value.msg


def test_rollback_complete_is_deleted_and_created_again():
    fake = FakeCloudFormation("ROLLBACK_COMPLETE")
    result = _runner(fake).present(TEMPLATE)
    assert result["action"] == "recreate"
    assert fake.api_calls.index("cloudformation.DeleteStack") < fake.api_calls.index("cloudformation.CreateStack")


def test_an_update_changes_parameters_and_protection_separately():
    fake = FakeCloudFormation("CREATE_COMPLETE", parameters={"Name": "old"})
    result = _runner(fake, termination_protection=True, drift="skip").present(TEMPLATE)
    assert result["action"] == "update"
    assert "cloudformation.UpdateStack" in fake.api_calls
    assert fake.requests["UpdateTerminationProtection"]["EnableTerminationProtection"] is True


def test_protection_alone_needs_no_stack_update():
    fake = FakeCloudFormation("CREATE_COMPLETE")
    result = _runner(fake, termination_protection=True, drift="skip").present(TEMPLATE)
    assert result["action"] == "protection" and "cloudformation.UpdateStack" not in fake.api_calls


@pytest.mark.parametrize("status", ["UPDATE_ROLLBACK_FAILED", "DELETE_FAILED"])
def test_a_status_that_needs_a_person_is_refused_with_the_command(status):
    fake = FakeCloudFormation(status)
    with pytest.raises(StackFailed, match="aws cloudformation describe-stack-events --stack-name s") as failed:
        _runner(fake).present(TEMPLATE)
    assert failed.value.reason == "needs_a_person" and fake.api_calls == ["cloudformation.DescribeStacks"]


def test_a_running_operation_is_waited_for_and_a_timeout_says_so():
    fake = FakeCloudFormation("UPDATE_IN_PROGRESS")
    fake.next_statuses = ["UPDATE_IN_PROGRESS"] * 1000
    with pytest.raises(StackFailed, match="did not finish its running operation in 1 minutes") as failed:
        _runner(fake).present(TEMPLATE)
    assert failed.value.reason == "timeout"


def test_check_mode_previews_an_update_from_a_change_set_it_deletes():
    fake = FakeCloudFormation("CREATE_COMPLETE", parameters={"Name": "old"})
    lines = []
    result = _runner(fake, check_mode=True, lines=lines).present(TEMPLATE)
    assert result["action"] == "preview"
    assert "parameter Name: old -> x" in lines and "~ Topic AWS::SNS::Topic" in lines
    assert "cloudformation.DeleteChangeSet" in fake.api_calls
    assert not {"cloudformation.UpdateStack", "cloudformation.CreateStack", "cloudformation.ExecuteChangeSet"} & set(
        fake.api_calls
    )
    assert "Name: old" in result["diff"]["before"] and "Name: x" in result["diff"]["after"]


def test_check_mode_previews_a_new_stack_without_a_write():
    fake = FakeCloudFormation()
    result = _runner(fake, check_mode=True).present(TEMPLATE)
    assert result["preview"] == ["Stack s (us-west-2) would be created with:", "+ Topic AWS::SNS::Topic"]
    assert fake.api_calls == ["cloudformation.DescribeStacks"]


def test_delete_refuses_a_protected_stack_without_the_confirmation():
    fake = FakeCloudFormation("CREATE_COMPLETE", protection=True)
    with pytest.raises(StackFailed, match="termination protection") as failed:
        _runner(fake, state="absent").absent()
    assert failed.value.reason == "protected" and fake.api_calls == ["cloudformation.DescribeStacks"]


def test_delete_in_check_mode_writes_nothing():
    fake = FakeCloudFormation("CREATE_COMPLETE", protection=True)
    result = _runner(fake, check_mode=True, delete_protected=True).absent()
    assert result["action"] == "preview" and fake.api_calls == ["cloudformation.DescribeStacks"]


def test_delete_with_the_confirmation_lifts_protection_then_deletes():
    fake = FakeCloudFormation("CREATE_COMPLETE", protection=True)
    result = _runner(fake, delete_protected=True).absent()
    assert result["status"] == "DELETE_COMPLETE"
    assert fake.api_calls.index("cloudformation.UpdateTerminationProtection") < fake.api_calls.index(
        "cloudformation.DeleteStack"
    )


def test_the_service_role_makes_every_write_and_no_preview():
    role = "arn:aws:iam::123456789012:role/platform-access/ai-model-registry-cloudformation"
    created = FakeCloudFormation()
    _runner(created, role_arn=role).present(TEMPLATE)
    updated = FakeCloudFormation("CREATE_COMPLETE", parameters={"Name": "old"})
    _runner(updated, role_arn=role, drift="skip").present(TEMPLATE)
    deleted = FakeCloudFormation("CREATE_COMPLETE")
    _runner(deleted, role_arn=role).absent()
    previewed = FakeCloudFormation("CREATE_COMPLETE", parameters={"Name": "old"})
    _runner(previewed, check_mode=True, role_arn=role).present(TEMPLATE)
    writes = [created.requests["CreateStack"], updated.requests["UpdateStack"], deleted.requests["DeleteStack"]]
    assert [w["RoleARN"] for w in writes] == [role] * 3
    assert "RoleARN" not in previewed.requests["CreateChangeSet"]
    without = FakeCloudFormation()
    _runner(without).present(TEMPLATE)
    assert "RoleARN" not in without.requests["CreateStack"]  # the caller's credentials, as before


def test_deleting_an_absent_stack_changes_nothing():
    fake = FakeCloudFormation()
    assert _runner(fake).absent()["changed"] is False


def test_read_returns_outputs_and_parameters_in_one_call_and_absent_when_missing():
    fake = FakeCloudFormation("UPDATE_COMPLETE", parameters={"GlobalClusterIdentifier": "g"})
    result = _runner(fake, state="read").read()
    assert (result["status"], result["changed"], result["action"]) == ("UPDATE_COMPLETE", False, "none")
    assert result["outputs"] == {"TopicArn": "arn:topic"} and result["parameters"] == {"GlobalClusterIdentifier": "g"}
    assert fake.api_calls == ["cloudformation.DescribeStacks"]
    missing = _runner(FakeCloudFormation(), state="read").read()
    assert (missing["status"], missing["outputs"], missing["parameters"]) == ("ABSENT", {}, {})


# --- the task's interface: arguments, the template file, errors as results ---


def _action(args, check_mode=False, diff=False):
    return action_of(plugin, args, check_mode, diff)


def _run(tmp_path, fake, args, **kwargs):
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    action = _action(args, **kwargs)
    with (
        mock.patch.object(plugin, "session_clients", return_value=fake),
        mock.patch.object(action, "_find_needle", return_value=str(template)),
    ):
        return action.run(task_vars={})


def test_the_task_returns_the_outcome_events_and_calls(tmp_path):
    fake = FakeCloudFormation()
    result = _run(
        tmp_path, fake, {"name": "s", "region": "us-west-2", "template": "t.yaml", "parameters": {"Name": "x"}}
    )
    assert result["failed"] is False and result["action"] == "create" and result["api_calls"] == fake.api_calls
    assert "diff" not in result  # only with --diff
    assert [e["status"] for e in result["events"]][:1] == ["CREATE_IN_PROGRESS"]


def test_a_template_over_the_request_limit_without_a_bucket_is_refused_before_any_call(tmp_path):
    fake = FakeCloudFormation()
    template = tmp_path / "large.yaml"
    template.write_text(LARGE_TEMPLATE)
    action = _action({"name": "s", "region": "us-west-2", "template": "large.yaml", "parameters": {"Name": "x"}})
    with (
        mock.patch.object(plugin, "session_clients", return_value=fake),
        mock.patch.object(action, "_find_needle", return_value=str(template)),
        pytest.raises(AnsibleActionFail, match="over the 51200 bytes CloudFormation takes in a request"),
    ):
        action.run(task_vars={})
    assert fake.api_calls == []


def test_bad_input_is_a_failed_result_before_any_call(tmp_path):
    fake = FakeCloudFormation()
    result = _run(tmp_path, fake, {"name": "s", "region": "us-west-2", "template": "t.yaml", "parameters": {"Nope": 1}})
    assert result["failed"] and result["reason"] == "bad_input" and fake.api_calls == []


def test_a_stack_failure_and_an_aws_error_are_failed_results(tmp_path):
    args = {"name": "s", "region": "r", "template": "t.yaml", "parameters": {"Name": "x"}}
    result = _run(tmp_path, FakeCloudFormation("DELETE_FAILED"), args)
    assert result["failed"] and result["reason"] == "needs_a_person"
    broken = FakeCloudFormation("CREATE_COMPLETE")
    broken.GetTemplate = mock.Mock(
        side_effect=botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetTemplate")
    )
    result = _run(tmp_path, broken, args)
    assert result["failed"] and result["reason"] == "aws_error" and "AccessDenied" in result["msg"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"name": "s"}, "missing required arguments: region"),
        ({"name": "s", "region": "r", "timeout_minutes": 0}, "timeout_minutes must be >= 1"),
        ({"name": "s", "region": "r", "drift_max_age": -1}, "drift_max_age >= 0"),
        ({"name": "s", "region": "r"}, "state=present needs a template"),
        ({"name": "s", "region": "r", "drift": "sometimes"}, "drift"),
    ],
)
def test_wrong_arguments_fail_the_task(tmp_path, args, message):
    with pytest.raises(AnsibleActionFail, match=message):
        _run(tmp_path, FakeCloudFormation(), args)


def test_absent_with_diff(tmp_path):
    fake = FakeCloudFormation("CREATE_COMPLETE")
    result = _run(tmp_path, fake, {"name": "s", "region": "r", "state": "absent"}, diff=True)
    assert result["status"] == "DELETE_COMPLETE" and result["diff"]["before"].startswith("stack: s")
