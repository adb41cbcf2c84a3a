"""route53_records on a real botocore Route 53 client with scripted answers (botocore's Stubber checks each request
against the API model): only differing records written, in one batch, read back; paging; check mode; failures."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.stub import Stubber

from ansible_collections.ai_model_registry.infra.plugins.action import route53_records
from tests.unit.plugins.helpers import Done, FakeModule

ZONE = "Z0123456789ABCDEFGHIJ"
WRITER = {"record": "postgresql.registry.internal", "type": "CNAME", "ttl": 5, "value": "g.global-1.rds.amazonaws.com"}
READER = {"record": "postgresql-reader.registry.internal", "type": "CNAME", "ttl": 5, "value": "c.cluster-ro-dr"}


def _set(record, value=None, ttl=5, kind="CNAME"):
    name = record["record"] if isinstance(record, dict) else record
    value = value if value is not None else record["value"]
    return {"Name": name + ".", "Type": kind, "TTL": ttl, "ResourceRecords": [{"Value": value}]}


NS = {"Name": "registry.internal.", "Type": "NS", "TTL": 172800, "ResourceRecords": [{"Value": "ns-1.awsdns-01.org."}]}


def _page(*sets, next_name=None):
    page = {"ResourceRecordSets": list(sets), "IsTruncated": next_name is not None, "MaxItems": "2"}
    if next_name:
        page.update(NextRecordName=next_name, NextRecordType="CNAME")
    return page


def _run(answers, records, check_mode=False, diff=False):
    """The module on a stubbed client: ``answers`` - (operation, response or error code[, the request expected])
    in call order."""
    client = botocore.session.get_session().create_client(
        "route53", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    stub = Stubber(client)
    for operation, answer, *expected in answers:
        if isinstance(answer, str):
            stub.add_client_error(operation, service_error_code=answer, service_message="refused")
        else:
            stub.add_response(operation, answer, *expected)
    module = FakeModule(client, {"hosted_zone_id": "/hostedzone/" + ZONE, "records": records}, check_mode=check_mode)
    module._diff = diff
    with stub, pytest.raises(Done) as done:
        route53_records.main(module)
    stub.assert_no_pending_responses()
    return done.value


CHANGED = {"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING", "SubmittedAt": "2026-11-30T00:00:00Z"}}


def test_records_already_right_cost_one_read_and_no_write():
    done = _run(
        [("list_resource_record_sets", _page(NS, _set(WRITER, WRITER["value"] + "."), _set(READER)))], [WRITER, READER]
    )
    assert not done.failed and done.result["changed"] is False and done.result["records"] == []
    assert done.result["api_calls"] == ["route53.ListResourceRecordSets"]


def test_only_the_differing_records_are_written_in_one_batch_and_read_back():
    answers = [
        ("list_resource_record_sets", _page(NS, _set(WRITER), _set(READER, "c.cluster-ro-primary", ttl=300))),
        (
            "change_resource_record_sets",
            CHANGED,
            {"HostedZoneId": ZONE, "ChangeBatch": route53_records.change_batch([READER])},
        ),
        ("list_resource_record_sets", _page(NS, _set(WRITER), _set(READER))),
    ]
    done = _run(answers, [WRITER, READER])
    assert not done.failed and done.result["changed"] is True
    assert done.result["records"] == [READER["record"]]
    assert done.result["api_calls"] == [
        "route53.ListResourceRecordSets",
        "route53.ChangeResourceRecordSets",
        "route53.ListResourceRecordSets",
    ]


def test_the_batch_upserts_each_differing_record_with_its_ttl():
    batch = route53_records.change_batch([READER])
    assert batch["Changes"] == [
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": READER["record"] + ".",
                "Type": "CNAME",
                "TTL": 5,
                "ResourceRecords": [{"Value": READER["value"]}],
            },
        }
    ]


def test_every_page_of_the_zone_is_read():
    answers = [
        ("list_resource_record_sets", _page(NS, _set(WRITER), next_name=READER["record"] + ".")),
        ("list_resource_record_sets", _page(_set(READER))),
    ]
    done = _run(answers, [WRITER, READER])
    assert done.result["changed"] is False  # the reader record, on the second page, is right
    assert done.result["api_calls"] == ["route53.ListResourceRecordSets"] * 2


def test_check_mode_writes_nothing_and_shows_before_and_after():
    done = _run([("list_resource_record_sets", _page(NS, _set(WRITER)))], [WRITER, READER], check_mode=True, diff=True)
    assert done.result["changed"] is True and done.result["records"] == [READER["record"]]
    assert done.result["diff"] == {
        "before": {"postgresql-reader.registry.internal CNAME": None},
        "after": {"postgresql-reader.registry.internal CNAME": {"values": ["c.cluster-ro-dr"], "ttl": 5}},
    }
    assert done.result["api_calls"] == ["route53.ListResourceRecordSets"]


def test_a_record_route53_does_not_hold_after_the_write_fails_the_task_by_name():
    answers = [
        ("list_resource_record_sets", _page(NS)),
        ("change_resource_record_sets", CHANGED),
        ("list_resource_record_sets", _page(NS, _set(WRITER, ttl=60))),
    ]
    done = _run(answers, [WRITER, READER])
    assert done.failed
    assert done.result["msg"] == (
        f"Hosted zone {ZONE} does not hold the records as written: "
        "postgresql.registry.internal CNAME is g.global-1.rds.amazonaws.com (TTL 60), "
        "expected g.global-1.rds.amazonaws.com (TTL 5); postgresql-reader.registry.internal CNAME is missing"
    )


def test_a_refused_write_fails_with_the_zone():
    answers = [("list_resource_record_sets", _page(NS)), ("change_resource_record_sets", "InvalidChangeBatch")]
    done = _run(answers, [WRITER])
    assert done.failed and done.result["msg"] == f"Could not write the records of hosted zone {ZONE}"
    assert done.result["api_calls"][-1] == "route53.ChangeResourceRecordSets"


def test_an_unknown_zone_fails_before_any_write():
    done = _run([("list_resource_record_sets", "NoSuchHostedZone")], [WRITER])
    assert done.failed and done.result["msg"] == f"Could not read the records of hosted zone {ZONE}"
    assert done.result["api_calls"] == ["route53.ListResourceRecordSets"]
