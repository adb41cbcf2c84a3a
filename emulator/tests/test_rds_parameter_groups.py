"""A cluster parameter group a stack creates lists the parameters its template sets.

AWS::RDS::DBClusterParameterGroup's ``Parameters`` are name/value pairs
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbclusterparametergroup.html);
DescribeDBClusterParameters with ``Source=user`` lists the parameters set in the group, each with its name and value
(https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterParameters.html).
"""

from __future__ import annotations

import json

TEMPLATE = {
    "Resources": {
        "Params": {
            "Type": "AWS::RDS::DBClusterParameterGroup",
            "Properties": {
                "Description": "cluster parameters",
                "Family": "aurora-postgresql16",
                "Parameters": {"log_min_duration_statement": 1000, "rds.force_ssl": "1"},
            },
        }
    },
    "Outputs": {"Name": {"Value": {"Ref": "Params"}}},
}


def test_the_parameters_a_template_sets_are_described_as_set_by_the_user(client):
    cfn = client("cloudformation")
    cfn.create_stack(StackName="parameter-group", TemplateBody=json.dumps(TEMPLATE))
    outputs = cfn.describe_stacks(StackName="parameter-group")["Stacks"][0]["Outputs"]
    name = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "Name")
    found = client("rds").describe_db_cluster_parameters(DBClusterParameterGroupName=name, Source="user")
    assert {p["ParameterName"]: p["ParameterValue"] for p in found["Parameters"]} == {
        "log_min_duration_statement": "1000",
        "rds.force_ssl": "1",
    }
