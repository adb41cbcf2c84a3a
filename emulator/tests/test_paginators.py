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


@pytest.mark.parametrize("entry", paging.PAGED, ids=lambda e: e[2].operation)
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
