"""The seed's create-stack commands, in order, against the emulator (tests and `make demo` use it)."""

from __future__ import annotations

import pathlib

from emulator.aws.cfn_engine import TEMPLATE_BODY_LIMIT
from emulator.aws.s3_bucket import TEMPLATE_BUCKET

REPO = pathlib.Path(__file__).resolve().parents[1]
TEMPLATES = {
    "aurora": REPO / "roles/aurora/files/aurora-cluster.yaml",
    "redis": REPO / "roles/redis/files/redis-cluster.yaml",
    "backup": REPO / "roles/backup/files/backup-policy.yaml",
    "backup-dr-vault": REPO / "roles/backup/files/backup-dr-vault.yaml",
    "dr-replica": REPO / "roles/dr/files/disaster-recovery-replica.yaml",
    "dr": REPO / "roles/dr/files/disaster-recovery.yaml",
    "dr-secondary": REPO / "roles/dr/files/disaster-recovery-secondary.yaml",
}
PRIMARY, DR = "us-west-2", "us-east-1"


def default_network(client, region: str) -> tuple[str, list[str]]:
    ec2 = client("ec2", region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    return vpc, [s["SubnetId"] for s in subnets[:2]]


def template_source(client, path: pathlib.Path, stack: str) -> dict:
    """TemplateBody, or for a template over CloudFormation's 51,200-byte request limit TemplateURL: uploaded to the
    account's template bucket first, as `aws cloudformation deploy --s3-bucket` does."""
    text = path.read_text()
    if len(text.encode()) <= TEMPLATE_BODY_LIMIT:
        return {"TemplateBody": text}
    bucket, region = TEMPLATE_BUCKET
    client("s3", region).put_object(Bucket=bucket, Key=f"seed/{stack}.yaml", Body=text.encode())
    return {"TemplateURL": f"https://{bucket}.s3.{region}.amazonaws.com/seed/{stack}.yaml"}


def create(client, name: str, stack: str, region: str, **parameters) -> dict:
    """create-stack with explicit parameters, as `aws cloudformation create-stack --parameters` does."""
    cfn = client("cloudformation", region)
    cfn.create_stack(
        StackName=stack,
        **template_source(client, TEMPLATES[name], stack),
        Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    return describe(client, stack, region)


def describe(client, stack: str, region: str) -> dict:
    return client("cloudformation", region).describe_stacks(StackName=stack)["Stacks"][0]


def outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def failures(client, stack: str, region: str) -> list[tuple[str, str, str]]:
    events = client("cloudformation", region).describe_stack_events(StackName=stack)["StackEvents"]
    return [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", ""))
        for e in events
        if e["ResourceStatus"].endswith("FAILED")
    ]


def deploy_seed_order(client, environment: str = "production") -> dict[str, dict[str, str]]:
    """The seed's four create-stack commands in order, with the DR region parts where they belong."""
    vpc, subnets = default_network(client, PRIMARY)
    dr_vpc, dr_subnets = default_network(client, DR)
    result = {}
    network = {"VpcId": vpc, "PrivateSubnetIds": ",".join(subnets), "Environment": environment}
    result["aurora"] = outputs(create(client, "aurora", "ai-model-registry-aurora", PRIMARY, **network))
    result["redis"] = outputs(create(client, "redis", "ai-model-registry-redis", PRIMARY, **network))
    result["backup-dr-vault"] = outputs(
        create(client, "backup-dr-vault", "ai-model-registry-backup-dr-vault", DR, Environment=environment)
    )
    result["backup"] = outputs(
        create(
            client,
            "backup",
            "ai-model-registry-backup",
            PRIMARY,
            Environment=environment,
            AuroraClusterArn=result["aurora"]["ClusterArn"],
            RedisClusterArn=result["redis"]["RedisClusterArn"],
            DatabaseSecretArn=result["aurora"]["SecretArn"],
            VpcId=vpc,
            PrivateSubnetIds=",".join(subnets),
        )
    )
    bucket = "ai-model-registry-artifacts"
    result["dr-replica"] = outputs(
        create(client, "dr-replica", "ai-model-registry-dr-replica", DR, Environment=environment, S3BucketName=bucket)
    )
    result["dr"] = outputs(
        create(
            client,
            "dr",
            "ai-model-registry-dr",
            PRIMARY,
            Environment=environment,
            PrimaryRegion=PRIMARY,
            DRRegion=DR,
            S3BucketName=bucket,
            AuroraClusterIdentifier=result["aurora"]["ClusterIdentifier"],
        )
    )
    result["dr-secondary"] = outputs(
        create(
            client,
            "dr-secondary",
            "ai-model-registry-dr-secondary",
            DR,
            Environment=environment,
            PrimaryRegion=PRIMARY,
            GlobalClusterIdentifier=result["dr"]["GlobalClusterIdentifier"],
            AuroraClusterIdentifier=result["aurora"]["ClusterIdentifier"],
            VpcId=dr_vpc,
            PrivateSubnetIds=",".join(dr_subnets),
        )
    )
    return result
