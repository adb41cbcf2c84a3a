"""Answers are judged by botocore's output shapes (emulator/aws/shapes.py), and a malformed one is caught.

The judge is AWS's own API model as botocore ships it: ``botocore/data/<service>/<version>/service-2.json``
(the shapes ``Stack``, ``BackupVaultListMember``, ``DescribeSnapshotsListMessage``, ``HeadObjectOutput``,
``Vpc`` named below), parsed by botocore's parsers (``botocore/parsers.py``), with the wire formats of
the AWS protocols (https://smithy.io/2.0/aws/protocols/ : awsQuery, ec2Query, awsJson1_0/1_1,
restJson1, restXml - timestamps ISO 8601 in XML bodies, epoch seconds in JSON bodies, RFC 822 in headers).
"""

from __future__ import annotations

import json
import textwrap

import pytest

from emulator.aws.shapes import ShapeChecker

pytest_plugins = ["pytester"]

CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


def _check(
    service: str, action: str, body: str | dict | bytes, headers: dict | None = None, request: dict | None = None
):
    checker = ShapeChecker()
    if isinstance(body, bytes):
        raw = body
    else:
        raw = json.dumps(body).encode() if isinstance(body, dict) else textwrap.dedent(body).strip().encode()
    found = checker.check(service, action, 200, headers or {}, raw, request or {})
    return {(v["path"], v["problem"].split(" ")[0]): v for v in found}, found


def _stack(**members: str) -> str:
    fields = {
        "StackName": "s",
        "StackId": "arn:aws:cloudformation:us-west-2:123456789012:stack/s/1",
        "CreationTime": "2026-11-29T15:00:00.000Z",
        "StackStatus": "CREATE_COMPLETE",
        **members,
    }
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items() if v is not None)
    return (
        f'<DescribeStacksResponse xmlns="{CFN_NS}"><DescribeStacksResult><Stacks><member>{inner}</member>'
        "</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
        "</DescribeStacksResponse>"
    )


def test_a_well_formed_answer_has_no_violation():
    """cloudformation 2010-05-15 ``DescribeStacksOutput`` (awsQuery, result wrapper DescribeStacksResult)."""
    _, found = _check("cloudformation", "DescribeStacks", _stack())
    assert found == []


def test_a_streamed_payload_is_not_parsed_as_text():
    """GetObject's Body is the object's bytes (an .rdb is not UTF-8): a client streams it, the check skips it."""
    _, found = _check("s3", "GetObject", b"REDIS0009\xfa\x09redis-ver\xff\x00\x80")
    assert found == []


def test_query_answers_are_checked_member_by_member():
    """``Stack`` requires StackName, CreationTime and StackStatus; StackStatus is the enum ``StackStatus``;
    an awsQuery timestamp is ISO 8601 with a zone (botocore reads one without as a naive local time)."""
    by_path, found = _check(
        "cloudformation",
        "DescribeStacks",
        _stack(StackName=None, StackStatus="EXPLODED", CreationTime="2026-11-29T15:00:00", DisableRollback="no"),
    )
    assert ("Stacks[0].StackName", "required") in by_path
    assert by_path[("Stacks[0].StackStatus", "'EXPLODED'")]["operation"] == "cloudformation.DescribeStacks"
    assert ("Stacks[0].CreationTime", "timestamp") in by_path
    assert ("Stacks[0].DisableRollback", "boolean") in by_path
    assert len(found) == 4


def test_a_missing_result_wrapper_is_what_botocore_cannot_parse():
    """awsQuery answers carry the output in ``<ActionResult>`` (``resultWrapper`` in the model)."""
    _, found = _check("cloudformation", "DescribeStacks", f'<DescribeStacksResponse xmlns="{CFN_NS}"/>')
    assert [v["path"] for v in found] == ["(answer)"]
    assert "cannot parse" in found[0]["problem"]


def test_json_answers_have_json_types_and_epoch_timestamps():
    """backup 2018-11-15 ``ListBackupVaultsOutput``/``BackupVaultListMember`` (restJson1): CreationDate is a
    timestamp, epoch seconds in a JSON body; NumberOfRecoveryPoints a long; Locked a boolean."""
    vault = {"BackupVaultName": "v", "CreationDate": "2026-11-29T15:00:00Z", "NumberOfRecoveryPoints": "3"}
    by_path, found = _check("backup", "ListBackupVaults", {"BackupVaultList": [{**vault, "Locked": "false"}]})
    assert set(by_path) == {
        ("BackupVaultList[0].CreationDate", "timestamp"),
        ("BackupVaultList[0].NumberOfRecoveryPoints", "long"),
        ("BackupVaultList[0].Locked", "boolean"),
    }
    fine = {"BackupVaultName": "v", "CreationDate": 1796000000.5, "NumberOfRecoveryPoints": 3, "Locked": False}
    assert _check("backup", "ListBackupVaults", {"BackupVaultList": [fine]})[1] == []


def test_a_json_member_of_the_wrong_container_type_is_reported():
    """secretsmanager 2017-10-17 ``ListSecretsOutput`` (awsJson1_1): SecretList is a list."""
    request = {"HTTP_X_AMZ_TARGET": "secretsmanager.ListSecrets"}
    _, found = _check("secretsmanager", "ListSecrets", {"SecretList": {"Name": "x"}}, request=request)
    assert [(v["path"], v["problem"]) for v in found] == [("SecretList", "expected a JSON list, got dict")]


def test_a_pagination_token_the_model_does_not_name_is_reported():
    """elasticache 2015-02-02 ``DescribeSnapshotsListMessage`` pages with ``Marker`` (and its paginator,
    paginators-1.json, says input/output token Marker): a ``NextToken`` is never seen by a client."""
    body = """
        <DescribeSnapshotsResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/">
          <DescribeSnapshotsResult><NextToken>abc</NextToken><Snapshots/></DescribeSnapshotsResult>
        </DescribeSnapshotsResponse>"""
    _, found = _check("elasticache", "DescribeSnapshots", body)
    assert [v["path"] for v in found] == ["NextToken"]
    assert "the model names Marker" in found[0]["problem"]


def test_headers_carry_rfc822_timestamps():
    """s3 2006-03-01 ``HeadObjectOutput`` (restXml): LastModified is the Last-Modified header, RFC 822
    (``timestampFormat`` unset: headers default to http-date), ContentLength an integer header."""
    good = {"Last-Modified": "Sun, 29 Nov 2026 15:00:00 GMT", "Content-Length": "3"}
    assert _check("s3", "HeadObject", "", headers=good)[1] == []
    bad = {"Last-Modified": "2026-11-29T15:00:00Z", "Content-Length": "three"}
    by_path, _ = _check("s3", "HeadObject", "", headers=bad)
    assert set(by_path) == {("LastModified", "timestamp"), ("ContentLength", "long")}


def test_ec2_answers_are_parsed_as_ec2_query():
    """ec2 2016-11-15 ``DescribeVpcsResult``/``Vpc`` (ec2Query: no result wrapper, lowerCamel names):
    isDefault is a boolean, state the enum ``VpcState``."""
    body = """
        <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>
          <vpcSet><item><vpcId>vpc-1</vpcId><state>up</state><isDefault>yes</isDefault></item></vpcSet>
        </DescribeVpcsResponse>"""
    by_path, _ = _check("ec2", "DescribeVpcs", body)
    assert set(by_path) == {("Vpcs[0].State", "'up'"), ("Vpcs[0].IsDefault", "boolean")}


@pytest.fixture
def checking(aws):
    """The emulator with the check on, also in a run that turned test mode off; as it was afterwards."""
    before = aws.post("aws", "/_emulator/config", method="GET")["response_shapes"]
    aws.post("aws", "/_emulator/config", {"response_shapes": True})
    yield aws
    aws.post("aws", "/_emulator/config", {"response_shapes": before})


@pytest.mark.parametrize(
    ("operation", "member", "change", "call", "path"),
    [
        # awsQuery: an enum member
        (
            "cloudformation.DescribeStacks",
            "StackStatus",
            {"value": "EXPLODED"},
            "describe_stacks",
            "Stacks[0].StackStatus",
        ),
        # awsQuery: a required member dropped
        ("cloudformation.DescribeStacks", "StackName", {"value": None}, "describe_stacks", "Stacks[0].StackName"),
        # restJson1: a timestamp that is not epoch seconds
        (
            "backup.ListBackupVaults",
            "CreationDate",
            {"value": "2026-11-29T15:00:00Z"},
            "list_backup_vaults",
            "BackupVaultList[0].CreationDate",
        ),
        # awsQuery: the paging token under a name the model does not have
        ("elasticache.DescribeSnapshots", "Marker", {"rename": "NextToken"}, "describe_snapshots", "NextToken"),
    ],
)
def test_a_malformed_emulator_answer_is_caught(checking, operation, member, change, call, path):
    """The server's own answer, malformed by ``POST /_emulator/corrupt``, is recorded with the operation and
    the member's path: the check sits in the answer path of every service (control.py)."""
    aws = checking
    service = operation.split(".")[0]
    client = aws.client(service)
    if service == "cloudformation":
        client.create_stack(StackName="s", TemplateBody=json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    elif service == "backup":
        client.create_backup_vault(BackupVaultName="v")
    else:
        aws.post("aws", "/_emulator/config", {"page_size": 1})
        client.create_replication_group(
            ReplicationGroupId="rg1", ReplicationGroupDescription="d", NumCacheClusters=1, Engine="redis"
        )
        for name in ("a", "b"):
            client.create_snapshot(ReplicationGroupId="rg1", SnapshotName=name)
    assert aws.post("aws", "/_emulator/violations", method="DELETE")["violations"] == []
    aws.post("aws", "/_emulator/corrupt", {"operation": operation, "member": member, **change})
    getattr(client, call)()
    answer = aws.post("aws", "/_emulator/violations", method="DELETE")  # taken: this test expects them
    assert answer["enabled"] is True
    assert [(v["operation"], v["path"]) for v in answer["violations"]] == [(operation, path)]
    getattr(client, call)()  # a corruption applies to one answer only
    assert aws.post("aws", "/_emulator/violations", method="GET")["violations"] == []


def test_the_test_that_caused_a_violation_fails(pytester, monkeypatch):
    """End to end through the pytest plugin: a test whose call got a malformed answer fails, naming the
    operation and the path (emulator/pytest_plugin.py)."""
    pytester.makepyfile(
        test_inner="""
        def test_caller(aws):
            aws.post("aws", "/_emulator/corrupt",
                     {"operation": "backup.ListBackupVaults", "member": "CreationDate", "value": "2026-11-29"})
            backup = aws.client("backup")
            backup.create_backup_vault(BackupVaultName="v")
            backup.list_backup_vaults()
        """
    )
    monkeypatch.setenv("EMULATOR_RESPONSE_SHAPES", "1")  # test mode, whatever this run's own
    result = pytester.runpytest_subprocess("-p", "emulator.pytest_plugin", "-p", "no:kmock", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*backup.ListBackupVaults: BackupVaultList[[]0[]].CreationDate: timestamp '2026-11-29' is not*"]
    )
