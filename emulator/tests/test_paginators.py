"""Lists the emulator pages (emulator/aws/paging.py) page with the tokens of botocore's paginator models.

botocore ships AWS's paginator definitions (``botocore/data/<service>/<version>/paginators-1.json``:
``input_token``, ``output_token``, ``limit_key``, ``result_key`` of each operation); a client that
follows them (``client.get_paginator(...)``) must read every item with the smallest page size.
"""

from __future__ import annotations

import json

import botocore.session
import pytest

from emulator.aws import paging


@pytest.mark.parametrize("entry", [*paging.PAGED, (None, None, paging.S3_BUCKETS, None)], ids=lambda e: e[2].operation)
def test_token_names_are_those_of_botocores_paginator_model(entry):
    """paginators-1.json of each service: the names travel as the paginator says."""
    spec = entry[2]
    service, action = spec.operation.split(".")
    session = botocore.session.get_session()
    model = session.get_service_model(service)
    paginator = session.get_paginator_model(service, model.api_version).get_paginator(action)
    assert paginator["output_token"] == spec.response_token
    request_members = model.operation_model(action).input_shape.members
    wire = {m.serialization.get("name", name): name for name, m in request_members.items()}
    assert wire.get(spec.request_token, spec.request_token) == paginator["input_token"]
    if spec.request_limit:
        assert wire.get(spec.request_limit, spec.request_limit) == paginator["limit_key"]
    assert spec.result_key == paginator["result_key"] or spec.result_key in paginator["result_key"]


def test_rds_and_stack_event_lists_page_one_by_one(aws):
    """RDS DescribeDBClusters/DescribeGlobalClusters (Marker) and CloudFormation DescribeStackEvents
    (NextToken): with page_size 1 a first call sees one item and a token, botocore's paginator all."""
    aws.post("aws", "/_emulator/config", {"page_size": 1})
    rds = aws.client("rds")
    for index in range(3):
        rds.create_db_cluster(
            DBClusterIdentifier=f"c{index}",
            Engine="aurora-postgresql",
            MasterUsername="u",
            MasterUserPassword="pw123456",
        )
    for index in range(2):
        rds.create_global_cluster(GlobalClusterIdentifier=f"g{index}", Engine="aurora-postgresql")
    first = rds.describe_db_clusters()
    assert len(first["DBClusters"]) == 1 and first["Marker"]
    clusters = [c for page in rds.get_paginator("describe_db_clusters").paginate() for c in page["DBClusters"]]
    assert sorted(c["DBClusterIdentifier"] for c in clusters) == ["c0", "c1", "c2"]
    globals_ = [g for page in rds.get_paginator("describe_global_clusters").paginate() for g in page["GlobalClusters"]]
    assert sorted(g["GlobalClusterIdentifier"] for g in globals_) == ["g0", "g1"]
    with pytest.raises(rds.exceptions.ClientError, match="InvalidParameterValue"):
        rds.describe_db_clusters(MaxRecords=5)  # AWS: MaxRecords 20-100

    cfn = aws.client("cloudformation")
    template = {"Resources": {"A": {"Type": "AWS::SNS::Topic"}, "B": {"Type": "AWS::SNS::Topic"}}}
    cfn.create_stack(StackName="s", TemplateBody=json.dumps(template))
    page = cfn.describe_stack_events(StackName="s")
    assert len(page["StackEvents"]) == 1 and page["NextToken"]
    events = [e for p in cfn.get_paginator("describe_stack_events").paginate(StackName="s") for e in p["StackEvents"]]
    assert len(events) >= 6  # stack and two resources, in progress and complete
    assert events[0]["Timestamp"] >= events[-1]["Timestamp"]  # newest first


def _two_of_each(client) -> dict:
    """Two items in each list the collection reads (ids to read them by), through the service APIs."""
    rds, cfn, sns, backup = client("rds"), client("cloudformation"), client("sns"), client("backup")
    for index in range(2):
        rds.create_db_cluster(
            DBClusterIdentifier=f"c{index}", Engine="aurora-postgresql", MasterUsername="u", MasterUserPassword="x" * 12
        )
        rds.create_db_instance(
            DBInstanceIdentifier=f"i{index}",
            DBClusterIdentifier="c0",
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
        )
        rds.create_db_cluster_snapshot(DBClusterIdentifier="c0", DBClusterSnapshotIdentifier=f"cs{index}")
        client("elasticache").create_replication_group(
            ReplicationGroupId=f"rg{index}", ReplicationGroupDescription="d", NumCacheClusters=1, Engine="redis"
        )
        client("s3").create_bucket(
            Bucket=f"paged-bucket-{index}", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
        backup.create_backup_plan(BackupPlan={"BackupPlanName": f"p{index}", "Rules": []})
        rds.create_db_cluster_parameter_group(
            DBClusterParameterGroupName=f"pg{index}", DBParameterGroupFamily="aurora-postgresql16", Description="d"
        )
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="pg0",
        Parameters=[
            {"ParameterName": name, "ParameterValue": "1", "ApplyMethod": "immediate"}
            for name in ("rds.force_ssl", "log_min_duration_statement")
        ],
    )
    topic = sns.create_topic(Name="t0")["TopicArn"]
    sns.create_topic(Name="t1")
    for index in range(2):
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=f"u{index}@example.com")
    two = {"Resources": {"A": {"Type": "AWS::SNS::Topic"}, "B": {"Type": "AWS::SNS::Topic"}}}
    cfn.create_stack(StackName="s0", TemplateBody=json.dumps(two))
    cfn.create_stack(StackName="s1", TemplateBody=json.dumps(two))
    cfn.create_change_set(
        StackName="s0",
        ChangeSetName="more",
        TemplateBody=json.dumps(
            {"Resources": {**two["Resources"], "C": {"Type": "AWS::SNS::Topic"}, "D": {"Type": "AWS::SNS::Topic"}}}
        ),
    )
    zone = client("route53").create_hosted_zone(Name="example.internal", CallerReference="r")["HostedZone"]["Id"]
    return {"topic": topic, "zone": zone}


# (service, botocore's paginator name, its parameters given the ids above) of every list paging.GENERIC and the
# specials page; each is read one item a page and must equal the whole list.
LISTS = [
    ("cloudformation", "describe_stacks", lambda ids: {}),
    ("cloudformation", "list_stack_resources", lambda ids: {"StackName": "s0"}),
    ("cloudformation", "describe_change_set", lambda ids: {"StackName": "s0", "ChangeSetName": "more"}),
    ("rds", "describe_db_instances", lambda ids: {}),
    ("rds", "describe_db_cluster_snapshots", lambda ids: {}),
    ("rds", "describe_db_cluster_parameter_groups", lambda ids: {}),
    ("rds", "describe_db_cluster_parameters", lambda ids: {"DBClusterParameterGroupName": "pg0"}),
    ("elasticache", "describe_replication_groups", lambda ids: {}),
    ("sns", "list_topics", lambda ids: {}),
    ("sns", "list_subscriptions_by_topic", lambda ids: {"TopicArn": ids["topic"]}),
    ("ec2", "describe_subnets", lambda ids: {}),
    ("backup", "list_backup_plans", lambda ids: {}),
    ("s3", "list_buckets", lambda ids: {"PaginationConfig": {"PageSize": 1}}),
    ("route53", "list_resource_record_sets", lambda ids: {"HostedZoneId": ids["zone"]}),
]


def test_every_list_the_collection_reads_pages_one_item_a_page_and_botocore_reads_it_whole(aws, client):
    """paging.GENERIC, S3 ListBuckets and Route 53 ListResourceRecordSets: with page_size 1 a paginator (the
    model's tokens) reads as many pages as items, and the same items as one unpaged read."""
    ids = _two_of_each(client)
    for service, name, params in LISTS:
        paginator = client(service).get_paginator(name)
        key = paginator.result_keys[0].expression
        aws.post("aws", "/_emulator/config", {"page_size": None})
        whole = [item for page in paginator.paginate(**params(ids)) for item in page.get(key, [])]
        aws.post("aws", "/_emulator/config", {"page_size": 1})
        pages = list(paginator.paginate(**params(ids)))
        assert len(whole) >= 2, (service, name, whole)
        assert [len(page.get(key, [])) for page in pages] == [1] * len(whole), (service, name)
        assert [_id(item) for page in pages for item in page[key]] == [_id(item) for item in whole], (service, name)


_IDS = (
    "StackId",
    "DBInstanceIdentifier",
    "DBClusterParameterGroupName",
    "ParameterName",
    "DBClusterSnapshotIdentifier",
    "ReplicationGroupId",
    "TopicArn",
    "SubscriptionArn",
    "SubnetId",
    "BackupPlanId",
    "Name",
    "LogicalResourceId",
)


def _id(item: dict) -> str:
    """What names a list item (other members, such as a status, may change between two reads)."""
    item = item.get("ResourceChange", item)
    return next((f"{key}={item[key]}" for key in _IDS if key in item), json.dumps(item, default=str, sort_keys=True))
