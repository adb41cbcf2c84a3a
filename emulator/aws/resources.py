"""CloudFormation resource types that moto skips, backed by moto's own service backends.

Each class follows the AWS CloudFormation resource reference: the same properties, the value
``Ref`` returns, the ``Fn::GetAtt`` attributes, and which property changes replace the resource.
A resource created here is what the service API returns (``DescribeDBClusters``,
``GetSecretValue``, ``DescribeReplicationGroups``, ...), and deleting the stack deletes it.
"""

from __future__ import annotations

import json
import string
from typing import Any

# Importing moto's models (below) defines their CloudFormation types first; ours, defined later, win.
from moto.backup.models import backup_backends
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudtrail.models import cloudtrail_backends
from moto.cloudwatch.models import MetricDataQuery, cloudwatch_backends
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.elasticache.models import elasticache_backends
from moto.moto_api._internal import mock_random
from moto.rds.models import rds_backends
from moto.s3.models import s3_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.sns.models import sns_backends


def _name(value: Any) -> Any:
    """A Ref to some moto models yields the model itself: use its name."""
    for attr in ("physical_resource_id", "subnet_name", "name"):
        if value is not None and not isinstance(value, str) and hasattr(value, attr):
            return getattr(value, attr)
    return value


def _bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _int(value: Any, default: int | None = None) -> int | None:
    return default if value is None else int(value)


def _tags(props: dict[str, Any], key: str = "Tags") -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in props.get(key) or []]


def _lower_id(name: str, limit: int = 63) -> str:
    """RDS and ElastiCache identifiers: lowercase, letters, digits and single hyphens."""
    allowed = string.ascii_lowercase + string.digits + "-"
    cleaned = "".join(c if c in allowed else "-" for c in name.lower())
    while "--" in cleaned:
        cleaned = cleaned.replace("--", "-")
    return cleaned[:limit].strip("-")


def _final_snapshot_name(resource_id: str) -> str:
    """DeletionPolicy: Snapshot keeps a final snapshot of the deleted resource."""
    return f"{resource_id}-final-{mock_random.get_random_hex(8)}"


class EmulatedResource(CloudFormationModel):
    """Common behaviour: Ref, GetAtt, create, in-place update or replacement, delete."""

    # Set by the stack engine from the template's DeletionPolicy just before a delete.
    deletion_policy: str | None = None
    # moto's BackendDict of the service (account -> region -> backend), for `self.backend`.
    BACKENDS: Any = None

    TYPE = ""
    NAME_PROPERTY = ""
    ATTRIBUTES: tuple[str, ...] = ()
    # Changing one of these properties replaces the resource (AWS: "Update requires: Replacement").
    REPLACE_ON: tuple[str, ...] = ()

    def __init__(self, name: str, props: dict[str, Any], account_id: str, region_name: str, logical_id: str = ""):
        self.name = name
        self.props = props
        self.account_id = account_id
        self.region_name = region_name
        self.logical_id = logical_id

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.attribute(attribute_name)

    @property
    def physical_resource_id(self) -> str:
        return self.ref()

    @property
    def backend(self):
        return self.BACKENDS[self.account_id][self.region_name]

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ):
        resource = cls(
            resource_name,
            cloudformation_json.get("Properties") or {},
            account_id,
            region_name,
            kwargs.get("LogicalId", ""),
        )
        resource.create()
        return resource

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ):
        props = cloudformation_json.get("Properties") or {}
        if any(original_resource.props.get(p) != props.get(p) for p in cls.REPLACE_ON):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name, LogicalId=original_resource.logical_id
            )
            original_resource.destroy()
            return replacement
        previous = original_resource.props
        original_resource.props = props
        original_resource.modify(previous)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        """Deletion goes through the instance (``delete``); moto calls this only as a fallback."""

    def delete(self, account_id: str, region_name: str) -> None:
        self.destroy()

    # Subclasses implement these.
    def create(self) -> None:
        raise NotImplementedError

    def modify(self, previous: dict[str, Any]) -> None:
        """In-place update; by default only the stored properties change."""

    def destroy(self) -> None:
        raise NotImplementedError

    def ref(self) -> str:
        return self.name

    def attribute(self, name: str) -> Any:
        raise UnformattedGetAttTemplateException()


# --- RDS ------------------------------------------------------------------------------------------


class RDSDBCluster(EmulatedResource):
    TYPE = "AWS::RDS::DBCluster"
    NAME_PROPERTY = "DBClusterIdentifier"
    ATTRIBUTES = (
        "DBClusterArn",
        "DBClusterResourceId",
        "Endpoint.Address",
        "Endpoint.Port",
        "ReadEndpoint.Address",
        "MasterUserSecret.SecretArn",
    )
    REPLACE_ON = (
        "DBClusterIdentifier",
        "Engine",
        "DatabaseName",
        "KmsKeyId",
        "StorageEncrypted",
        "DBSubnetGroupName",
        "MasterUsername",
        "SourceDBClusterIdentifier",
        "SnapshotIdentifier",
    )

    BACKENDS = rds_backends

    def create(self) -> None:
        p = self.props
        self.name = _lower_id(self.name)
        kwargs = {
            "db_cluster_identifier": self.name,
            "engine": p.get("Engine"),
            "engine_version": p.get("EngineVersion"),
            "engine_mode": p.get("EngineMode"),
            "master_username": p.get("MasterUsername"),
            "master_user_password": p.get("MasterUserPassword"),
            "manage_master_user_password": _bool(p.get("ManageMasterUserPassword")),
            "database_name": p.get("DatabaseName"),
            "db_cluster_parameter_group_name": _name(p.get("DBClusterParameterGroupName")),
            "db_subnet_group_name": _name(p.get("DBSubnetGroupName")),
            "port": _int(p.get("Port")),
            "storage_encrypted": _bool(p.get("StorageEncrypted")),
            "storage_type": p.get("StorageType"),
            # Aurora storage grows on its own; AWS reports AllocatedStorage 1 for it.
            "allocated_storage": 1
            if str(p.get("Engine", "")).startswith("aurora")
            else _int(p.get("AllocatedStorage")),
            "kms_key_id": p.get("KmsKeyId"),
            "deletion_protection": _bool(p.get("DeletionProtection")),
            "backup_retention_period": _int(p.get("BackupRetentionPeriod"), 1),
            "preferred_backup_window": p.get("PreferredBackupWindow") or "01:37-02:07",
            "preferred_maintenance_window": p.get("PreferredMaintenanceWindow") or "wed:02:40-wed:03:10",
            "vpc_security_group_ids": [_name(s) for s in p.get("VpcSecurityGroupIds") or []],
            "tags": _tags(p),
            "enable_cloudwatch_logs_exports": p.get("EnableCloudwatchLogsExports") or [],
            "enable_iam_database_authentication": _bool(p.get("EnableIAMDatabaseAuthentication")),
            "copy_tags_to_snapshot": _bool(p.get("CopyTagsToSnapshot")),
            "global_cluster_identifier": _name(p.get("GlobalClusterIdentifier")),
            "serverless_v2_scaling_configuration": _snake(p.get("ServerlessV2ScalingConfiguration")),
        }
        global_id = kwargs["global_cluster_identifier"]
        if global_id and global_id not in rds_backends[self.account_id]["us-east-1"].global_clusters:
            raise ValueError(f"Global cluster {global_id} not found (GlobalClusterNotFoundFault)")
        if global_id and not kwargs["master_username"]:
            # A secondary cluster of a global database takes its credentials from the primary.
            kwargs.pop("master_user_password")
        cluster = self.backend.create_db_cluster({k: v for k, v in kwargs.items() if v is not None})
        # CloudFormation reports CREATE_COMPLETE once the cluster is available (moto says "creating" once).
        cluster.status = "available"

    @property
    def cluster(self):
        return self.backend.clusters[self.name]

    def modify(self, previous: dict[str, Any]) -> None:
        p = self.props
        cluster = self.cluster
        cluster.engine_version = p.get("EngineVersion") or cluster.engine_version
        cluster.backup_retention_period = _int(p.get("BackupRetentionPeriod"), 1)
        cluster.deletion_protection = _bool(p.get("DeletionProtection"))
        cluster.storage_type = p.get("StorageType") or cluster.storage_type
        cluster.serverless_v2_scaling_configuration = _snake(p.get("ServerlessV2ScalingConfiguration"))
        cluster.enabled_cloudwatch_logs_exports = p.get("EnableCloudwatchLogsExports") or []
        cluster.parameter_group = _name(p.get("DBClusterParameterGroupName")) or cluster.parameter_group
        cluster.vpc_security_group_ids = [_name(s) for s in p.get("VpcSecurityGroupIds") or []]

    def destroy(self) -> None:
        cluster = self.backend.clusters.get(self.name)
        if cluster is None:
            return
        if self.deletion_policy == "Snapshot":
            self.backend.create_db_cluster_snapshot(self.name, _final_snapshot_name(self.name))
        for instance in list(cluster._members) if hasattr(cluster, "_members") else []:
            self.backend.delete_db_instance(instance.db_instance_identifier)
        global_id = cluster.global_cluster_identifier
        if global_id:
            for backend in rds_backends[self.account_id].values():
                for global_cluster in backend.global_clusters.values():
                    if cluster in global_cluster.members:
                        global_cluster.members.remove(cluster)
            cluster.global_cluster_identifier = None
        self.backend.delete_db_cluster(self.name)

    def attribute(self, name: str) -> Any:
        cluster = self.cluster
        return {
            "DBClusterArn": cluster.db_cluster_arn,
            "DBClusterResourceId": cluster.db_cluster_resource_id,
            "Endpoint.Address": cluster.endpoint,
            "Endpoint.Port": str(cluster.port),
            "ReadEndpoint.Address": cluster.reader_endpoint,
            "MasterUserSecret.SecretArn": getattr(getattr(cluster, "master_user_secret", None), "arn", ""),
        }[name]


def _snake(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    return {"min_capacity": float(config.get("MinCapacity", 0.5)), "max_capacity": float(config.get("MaxCapacity", 1))}


class RDSDBInstance(EmulatedResource):
    """Aurora cluster members (moto's own model ignores DBClusterIdentifier)."""

    TYPE = "AWS::RDS::DBInstance"
    NAME_PROPERTY = "DBInstanceIdentifier"
    ATTRIBUTES = ("DBInstanceArn", "DbiResourceId", "Endpoint.Address", "Endpoint.Port")
    REPLACE_ON = ("DBInstanceIdentifier", "DBClusterIdentifier", "Engine", "AvailabilityZone")

    BACKENDS = rds_backends

    def create(self) -> None:
        p = self.props
        self.name = _lower_id(self.name)
        kwargs = {
            "db_instance_identifier": self.name,
            "db_instance_class": p.get("DBInstanceClass"),
            "engine": p.get("Engine"),
            "engine_version": p.get("EngineVersion"),
            "db_cluster_identifier": _name(p.get("DBClusterIdentifier")),
            "db_parameter_group_name": _name(p.get("DBParameterGroupName")),
            "db_subnet_group_name": _name(p.get("DBSubnetGroupName")),
            "availability_zone": p.get("AvailabilityZone"),
            "publicly_accessible": _bool(p.get("PubliclyAccessible")),
            "auto_minor_version_upgrade": _bool(p.get("AutoMinorVersionUpgrade"), True),
            "monitoring_interval": _int(p.get("MonitoringInterval"), 0),
            "monitoring_role_arn": p.get("MonitoringRoleArn"),
            "enable_performance_insights": _bool(p.get("EnablePerformanceInsights")),
            "performance_insights_kms_key_id": p.get("PerformanceInsightsKMSKeyId"),
            "performance_insights_retention_period": _int(p.get("PerformanceInsightsRetentionPeriod")),
            "promotion_tier": _int(p.get("PromotionTier"), 1),
            "ca_certificate_identifier": p.get("CACertificateIdentifier"),
            "allocated_storage": _int(p.get("AllocatedStorage")),
            "master_username": p.get("MasterUsername"),
            "master_user_password": p.get("MasterUserPassword"),
            "storage_encrypted": _bool(p.get("StorageEncrypted")),
            "tags": _tags(p),
            "vpc_security_group_ids": [_name(s) for s in p.get("VPCSecurityGroups") or []],
        }
        self.backend.create_db_instance({k: v for k, v in kwargs.items() if v is not None})

    @property
    def instance(self):
        return self.backend.databases[self.name]

    def modify(self, previous: dict[str, Any]) -> None:
        instance = self.instance
        instance.db_instance_class = self.props.get("DBInstanceClass") or instance.db_instance_class

    def destroy(self) -> None:
        if self.name in self.backend.databases:
            self.backend.delete_db_instance(self.name)

    def attribute(self, name: str) -> Any:
        instance = self.instance
        return {
            "DBInstanceArn": instance.db_instance_arn,
            "DbiResourceId": instance.dbi_resource_id,
            "Endpoint.Address": instance.address,
            "Endpoint.Port": str(instance.port),
        }[name]


class RDSDBClusterParameterGroup(EmulatedResource):
    TYPE = "AWS::RDS::DBClusterParameterGroup"
    NAME_PROPERTY = "DBClusterParameterGroupName"
    ATTRIBUTES = ()  # the resource schema has no read-only properties: Ref is the name
    REPLACE_ON = ("DBClusterParameterGroupName", "Family", "Description")

    BACKENDS = rds_backends

    def create(self) -> None:
        self.name = _lower_id(self.name, 255)
        group = self.backend.create_db_cluster_parameter_group(
            db_cluster_parameter_group_name=self.name,
            db_parameter_group_family=self.props["Family"],
            description=self.props["Description"],
            tags=_tags(self.props),
        )
        group.parameters = self._parameters()

    def modify(self, previous: dict[str, Any]) -> None:
        self.backend.db_cluster_parameter_groups[self.name].parameters = self._parameters()

    def _parameters(self) -> dict[str, dict[str, str]]:
        """The template's ``Parameters`` (name: value) as moto keeps a group's parameters, so that
        DescribeDBClusterParameters lists them as set by the user (they are not the family's defaults)."""
        return {
            name: {
                "ParameterName": name,
                "ParameterValue": str(value),
                "ApplyMethod": "pending-reboot",
                "Source": "user",
            }
            for name, value in (self.props.get("Parameters") or {}).items()
        }

    def destroy(self) -> None:
        if self.name in self.backend.db_cluster_parameter_groups:
            self.backend.delete_db_cluster_parameter_group(self.name)

    def attribute(self, name: str) -> Any:
        return self.name


class RDSDBParameterGroup(EmulatedResource):
    TYPE = "AWS::RDS::DBParameterGroup"
    NAME_PROPERTY = "DBParameterGroupName"
    ATTRIBUTES = ("DBParameterGroupName",)
    REPLACE_ON = ("DBParameterGroupName", "Family", "Description")

    BACKENDS = rds_backends

    def create(self) -> None:
        self.name = _lower_id(self.name, 255)
        self.backend.create_db_parameter_group(
            {
                "db_parameter_group_name": self.name,
                "db_parameter_group_family": self.props["Family"],
                "description": self.props["Description"],
                "tags": _tags(self.props),
            }
        )

    def destroy(self) -> None:
        if self.name in self.backend.db_parameter_groups:
            self.backend.delete_db_parameter_group(self.name)

    def attribute(self, name: str) -> Any:
        return self.name


class RDSDBSubnetGroup(EmulatedResource):
    TYPE = "AWS::RDS::DBSubnetGroup"
    NAME_PROPERTY = "DBSubnetGroupName"
    REPLACE_ON = ("DBSubnetGroupName",)

    BACKENDS = rds_backends

    def create(self) -> None:
        self.name = _lower_id(self.name, 255)
        subnets = self._subnets()
        zones = sorted({subnet.availability_zone for subnet in subnets})
        if len(zones) < 2:
            raise ValueError(
                "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: "
                f"{', '.join(zones)}. Add subnets to cover at least 2 AZs. (DBSubnetGroupDoesNotCoverEnoughAZs)"
            )
        self.backend.create_subnet_group(self.name, self.props["DBSubnetGroupDescription"], subnets, _tags(self.props))

    def _subnets(self) -> list[Any]:
        ec2 = ec2_backends[self.account_id][self.region_name]
        return [ec2.get_subnet(subnet_id) for subnet_id in self.props["SubnetIds"]]

    def modify(self, previous: dict[str, Any]) -> None:
        self.backend.modify_db_subnet_group(self.name, self.props["DBSubnetGroupDescription"], self._subnets())

    def destroy(self) -> None:
        if self.name in self.backend.subnet_groups:
            self.backend.delete_subnet_group(self.name)


class RDSGlobalCluster(EmulatedResource):
    TYPE = "AWS::RDS::GlobalCluster"
    NAME_PROPERTY = "GlobalClusterIdentifier"
    ATTRIBUTES = ("GlobalEndpoint",)  # the resource schema's read-only GlobalEndpoint, an object {Address}
    REPLACE_ON = ("GlobalClusterIdentifier", "SourceDBClusterIdentifier", "Engine", "StorageEncrypted")

    @property
    def backend(self):
        # Global clusters belong to no region; moto keeps them all in its us-east-1 backend.
        return rds_backends[self.account_id]["us-east-1"]

    def create(self) -> None:
        p = self.props
        self.name = _lower_id(self.name)
        source = _name(p.get("SourceDBClusterIdentifier"))
        if source and not source.startswith("arn:"):
            regional = rds_backends[self.account_id][self.region_name]
            source = regional.describe_db_clusters(db_cluster_identifier=source)[0].db_cluster_arn
        self.backend.create_global_cluster(
            global_cluster_identifier=self.name,
            source_db_cluster_identifier=source,
            engine=None if source else p.get("Engine"),
            engine_version=None if source else p.get("EngineVersion"),
            storage_encrypted=_bool(p.get("StorageEncrypted")) if "StorageEncrypted" in p else None,
            deletion_protection=_bool(p.get("DeletionProtection")),
        )

    def modify(self, previous: dict[str, Any]) -> None:
        self.backend.global_clusters[self.name].deletion_protection = _bool(self.props.get("DeletionProtection"))

    def destroy(self) -> None:
        global_cluster = self.backend.global_clusters.get(self.name)
        if global_cluster is None:
            return
        # The resource handler detaches the remaining (primary) member before deleting.
        for member in list(global_cluster.members):
            global_cluster.members.remove(member)
            member.global_cluster_identifier = None
        self.backend.delete_global_cluster(self.name)

    def attribute(self, name: str) -> Any:
        return {"Address": self.backend.global_clusters[self.name].endpoint}


# --- Secrets Manager ------------------------------------------------------------------------------


class SecretsManagerSecret(EmulatedResource):
    TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Id",)
    REPLACE_ON = ("Name",)

    BACKENDS = secretsmanager_backends

    def _generate(self) -> str:
        spec = self.props["GenerateSecretString"]
        password = self.backend.get_random_password(
            password_length=int(spec.get("PasswordLength", 32)),
            exclude_characters=spec.get("ExcludeCharacters", ""),
            exclude_numbers=_bool(spec.get("ExcludeNumbers")),
            exclude_punctuation=_bool(spec.get("ExcludePunctuation")),
            exclude_uppercase=_bool(spec.get("ExcludeUppercase")),
            exclude_lowercase=_bool(spec.get("ExcludeLowercase")),
            include_space=_bool(spec.get("IncludeSpace")),
            require_each_included_type=_bool(spec.get("RequireEachIncludedType"), True),
        )
        password = json.loads(password)["RandomPassword"] if password.startswith("{") else password
        if spec.get("SecretStringTemplate"):
            document = json.loads(spec["SecretStringTemplate"])
            document[spec["GenerateStringKey"]] = password
            return json.dumps(document)
        return password

    def create(self) -> None:
        p = self.props
        secret_string = p.get("SecretString")
        if secret_string is None and "GenerateSecretString" in p:
            secret_string = self._generate()
        result = self.backend.create_secret(
            name=self.name,
            secret_string=secret_string,
            secret_binary=None,
            description=p.get("Description"),
            tags=_tags(p),
            kms_key_id=p.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[
                {"Region": r["Region"], "KmsKeyId": r.get("KmsKeyId")} for r in p.get("ReplicaRegions") or []
            ],
            force_overwrite=False,
        )
        self.arn = json.loads(result)["ARN"] if isinstance(result, str) else result["ARN"]

    def modify(self, previous: dict[str, Any]) -> None:
        secret = self.backend.secrets[self.arn]
        secret.description = self.props.get("Description")
        if self.props.get("SecretString") is not None and self.props.get("SecretString") != previous.get(
            "SecretString"
        ):
            self.backend.put_secret_value(self.arn, self.props["SecretString"], None, None, ["AWSCURRENT"])

    def destroy(self) -> None:
        if self.arn in self.backend.secrets:
            regions = [r["Region"] for r in self.props.get("ReplicaRegions") or []]
            if regions:  # AWS refuses to delete a secret with replicas; the handler removes them first
                self.backend.remove_regions_from_replication(self.arn, regions)
            self.backend.delete_secret(
                secret_id=self.arn, recovery_window_in_days=None, force_delete_without_recovery=True
            )

    def ref(self) -> str:
        return self.arn

    def attribute(self, name: str) -> Any:
        return self.arn


class SecretsManagerSecretTargetAttachment(EmulatedResource):
    """Adds the connection details of the target database to the secret, as AWS does."""

    TYPE = "AWS::SecretsManager::SecretTargetAttachment"
    ATTRIBUTES = ("Id",)
    REPLACE_ON = ("SecretId",)

    def create(self) -> None:
        p = self.props
        backend = secretsmanager_backends[self.account_id][self.region_name]
        rds = rds_backends[self.account_id][self.region_name]
        target = _name(p["TargetId"])
        self.secret_id = _name(p["SecretId"])
        secret = backend.get_secret_value(secret_id=self.secret_id, version_id=None, version_stage=None)
        document = json.loads(secret["SecretString"] if isinstance(secret, dict) else secret.secret_string)
        if p["TargetType"] == "AWS::RDS::DBCluster":
            cluster = rds.describe_db_clusters(db_cluster_identifier=target)[0]
            document.update(
                engine="postgres" if "postgres" in cluster.engine else "mysql",
                host=cluster.endpoint,
                port=cluster.port,
                dbClusterIdentifier=cluster.db_cluster_identifier,
            )
        elif p["TargetType"] == "AWS::RDS::DBInstance":
            instance = rds.databases[target]
            document.update(
                engine=instance.engine,
                host=instance.address,
                port=instance.port,
                dbInstanceIdentifier=instance.db_instance_identifier,
            )
        else:
            raise ValueError(f"TargetType {p['TargetType']} is not supported")
        backend.put_secret_value(self.secret_id, json.dumps(document), None, None, ["AWSCURRENT"])

    def modify(self, previous: dict[str, Any]) -> None:
        self.create()

    def destroy(self) -> None:
        """Detaching leaves the secret as it is."""

    def ref(self) -> str:
        return self.secret_id

    def attribute(self, name: str) -> Any:
        return self.secret_id


# --- ElastiCache ----------------------------------------------------------------------------------


class ElastiCacheSubnetGroup(EmulatedResource):
    TYPE = "AWS::ElastiCache::SubnetGroup"
    NAME_PROPERTY = "CacheSubnetGroupName"
    REPLACE_ON = ("CacheSubnetGroupName",)

    BACKENDS = elasticache_backends

    def create(self) -> None:
        self.name = _lower_id(self.name, 255)
        self.backend.create_cache_subnet_group(
            self.name, self.props["Description"], self.props["SubnetIds"], _tags(self.props)
        )

    def destroy(self) -> None:
        self.backend.cache_subnet_groups.pop(self.name, None)


class ElastiCacheParameterGroup(EmulatedResource):
    """moto has no cache parameter groups: kept on the backend, read by the API extension."""

    TYPE = "AWS::ElastiCache::ParameterGroup"
    REPLACE_ON = ("CacheParameterGroupFamily",)

    @property
    def groups(self) -> dict[str, Any]:
        backend = elasticache_backends[self.account_id][self.region_name]
        if not hasattr(backend, "emu_parameter_groups"):
            backend.emu_parameter_groups = {}
        return backend.emu_parameter_groups

    def create(self) -> None:
        self.name = _lower_id(self.name, 255)
        self.groups[self.name] = {
            "CacheParameterGroupName": self.name,
            "CacheParameterGroupFamily": self.props["CacheParameterGroupFamily"],
            "Description": self.props["Description"],
            "Parameters": dict(self.props.get("Properties") or {}),
        }

    def modify(self, previous: dict[str, Any]) -> None:
        self.groups[self.name]["Parameters"] = dict(self.props.get("Properties") or {})
        self.groups[self.name]["Description"] = self.props["Description"]

    def destroy(self) -> None:
        self.groups.pop(self.name, None)


def _short_region(region: str) -> str:
    """us-west-2 -> usw2, as in ElastiCache endpoint names."""
    area, direction, number = region.split("-")
    return f"{area}{direction[0]}{number}"


def _fix_region_in_endpoints(group: Any, region: str) -> None:
    """moto writes every endpoint as if in us-east-1 (".use1."); AWS names the group's own region."""

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(".use1.", f".{_short_region(region)}.")
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    group.node_groups = fix(group.node_groups)
    if getattr(group, "configuration_endpoint", None):
        group.configuration_endpoint = fix(group.configuration_endpoint)


class ElastiCacheReplicationGroup(EmulatedResource):
    TYPE = "AWS::ElastiCache::ReplicationGroup"
    NAME_PROPERTY = "ReplicationGroupId"
    ATTRIBUTES = (
        "PrimaryEndPoint.Address",
        "PrimaryEndPoint.Port",
        "ReaderEndPoint.Address",
        "ReaderEndPoint.Port",
        "ConfigurationEndPoint.Address",
        "ConfigurationEndPoint.Port",
        "ReadEndPoint.Addresses",
    )
    REPLACE_ON = (
        "ReplicationGroupId",
        "AtRestEncryptionEnabled",
        "KmsKeyId",
        "CacheSubnetGroupName",
        "NumNodeGroups",
        "Port",
        "Engine",
    )

    BACKENDS = elasticache_backends

    def create(self) -> None:
        p = self.props
        self.name = _lower_id(self.name, 40)
        cluster_mode = p.get("ClusterMode") or ("enabled" if p.get("NumNodeGroups") else "disabled")
        replicas = _int(p.get("ReplicasPerNodeGroup"))
        if cluster_mode == "disabled" and p.get("NumCacheClusters"):
            # AWS: NumCacheClusters counts the primary and its replicas; moto reads only the replica count.
            replicas = int(p["NumCacheClusters"]) - 1
        zones = p.get("PreferredCacheClusterAZs") or [f"{self.region_name}{z}" for z in "abcdef"]
        self.backend.create_replication_group(
            replication_group_id=self.name,
            replication_group_description=p["ReplicationGroupDescription"],
            global_replication_group_id=p.get("GlobalReplicationGroupId"),
            primary_cluster_id=p.get("PrimaryClusterId"),
            automatic_failover_enabled=_bool(p.get("AutomaticFailoverEnabled")),
            multi_az_enabled=_bool(p.get("MultiAZEnabled")),
            num_cache_clusters=_int(p.get("NumCacheClusters")),
            preferred_cache_cluster_azs=zones,
            num_node_groups=_int(p.get("NumNodeGroups")),
            replicas_per_node_group=replicas,
            node_group_configuration=p.get("NodeGroupConfiguration") or [],
            cache_node_type=p.get("CacheNodeType"),
            engine=p.get("Engine") or "redis",
            engine_version=p.get("EngineVersion"),
            cache_parameter_group_name=_name(p.get("CacheParameterGroupName")),
            cache_subnet_group_name=_name(p.get("CacheSubnetGroupName")),
            cache_security_group_names=p.get("CacheSecurityGroupNames") or [],
            security_group_ids=[_name(s) for s in p.get("SecurityGroupIds") or []],
            tags=_tags(p),
            snapshot_arns=p.get("SnapshotArns") or [],
            snapshot_name=p.get("SnapshotName"),
            preferred_maintenance_window=p.get("PreferredMaintenanceWindow"),
            port=_int(p.get("Port"), 6379),
            notification_topic_arn=p.get("NotificationTopicArn"),
            auto_minor_version_upgrade=_bool(p.get("AutoMinorVersionUpgrade"), True),
            snapshot_retention_limit=_int(p.get("SnapshotRetentionLimit"), 0),
            snapshot_window=p.get("SnapshotWindow"),
            auth_token=p.get("AuthToken"),
            transit_encryption_enabled=_bool(p.get("TransitEncryptionEnabled")),
            at_rest_encryption_enabled=_bool(p.get("AtRestEncryptionEnabled")),
            kms_key_id=p.get("KmsKeyId"),
            user_group_ids=p.get("UserGroupIds") or [],
            log_delivery_configurations=p.get("LogDeliveryConfigurations") or [],
            data_tiering_enabled=_bool(p.get("DataTieringEnabled")),
            network_type=p.get("NetworkType"),
            ip_discovery=p.get("IpDiscovery"),
            transit_encryption_mode=p.get("TransitEncryptionMode"),
            cluster_mode=cluster_mode,
            serverless_cache_snapshot_name=None,
        )
        _fix_region_in_endpoints(self.group, self.region_name)

    @property
    def group(self):
        return self.backend.replication_groups[self.name]

    def modify(self, previous: dict[str, Any]) -> None:
        p = self.props
        group = self.group
        group.snapshot_retention_limit = _int(p.get("SnapshotRetentionLimit"), 0)
        group.cache_node_type = p.get("CacheNodeType") or group.cache_node_type
        group.description = p["ReplicationGroupDescription"]
        group.auth_token_enabled = bool(p.get("AuthToken"))

    def destroy(self) -> None:
        if self.name in self.backend.replication_groups:
            if self.deletion_policy == "Snapshot":
                self.backend.create_snapshot(_final_snapshot_name(self.name), self.name, None, None, None)
            self.backend.delete_replication_group(self.name, retain_primary_cluster=False)

    def attribute(self, name: str) -> Any:
        group = self.group
        port = str(group.port)
        if name.startswith("ConfigurationEndPoint"):
            endpoint = getattr(group, "configuration_endpoint", None) or {}
            return endpoint.get("address", "") if name.endswith("Address") else port
        node_group = group.node_groups[0]
        if name == "PrimaryEndPoint.Address":
            return node_group["primary_endpoint_address"]
        if name == "ReaderEndPoint.Address":
            return node_group["reader_endpoint_address"]
        if name == "ReadEndPoint.Addresses":
            return node_group["reader_endpoint_address"]
        return port


# --- AWS Backup -----------------------------------------------------------------------------------


class BackupVault(EmulatedResource):
    TYPE = "AWS::Backup::BackupVault"
    NAME_PROPERTY = "BackupVaultName"
    ATTRIBUTES = ("BackupVaultArn", "BackupVaultName")
    REPLACE_ON = ("BackupVaultName", "EncryptionKeyArn")

    BACKENDS = backup_backends

    def create(self) -> None:
        p = self.props
        vault = self.backend.create_backup_vault(
            backup_vault_name=self.name,
            backup_vault_tags=p.get("BackupVaultTags") or {},
            encryption_key_arn=p.get("EncryptionKeyArn"),
            creator_request_id=None,
        )
        vault.notifications = p.get("Notifications")
        vault.access_policy = p.get("AccessPolicy")

    def modify(self, previous: dict[str, Any]) -> None:
        vault = self.backend.vaults[self.name]
        vault.notifications = self.props.get("Notifications")
        vault.access_policy = self.props.get("AccessPolicy")

    def destroy(self) -> None:
        self.backend.delete_backup_vault(self.name)

    def attribute(self, name: str) -> Any:
        return self.backend.vaults[self.name].backup_vault_arn if name == "BackupVaultArn" else self.name


def _plan_document(cfn_plan: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's BackupPlanRule list becomes the API's Rules list."""
    rules = []
    for rule in cfn_plan.get("BackupPlanRule") or []:
        api_rule = {k: v for k, v in rule.items() if k not in ("RecoveryPointTags", "TargetBackupVault")}
        # CloudFormation's BackupRuleResourceType says TargetBackupVault, the API's BackupRule
        # TargetBackupVaultName (required in GetBackupPlan's answer: botocore's backup model).
        api_rule["TargetBackupVaultName"] = rule["TargetBackupVault"]
        if rule.get("RecoveryPointTags"):
            api_rule["RecoveryPointTags"] = rule["RecoveryPointTags"]
        rules.append(api_rule)
    document = {"BackupPlanName": cfn_plan["BackupPlanName"], "Rules": rules}
    if cfn_plan.get("AdvancedBackupSettings"):
        document["AdvancedBackupSettings"] = cfn_plan["AdvancedBackupSettings"]
    return document


class BackupPlan(EmulatedResource):
    TYPE = "AWS::Backup::BackupPlan"
    ATTRIBUTES = ("BackupPlanArn", "BackupPlanId", "VersionId")

    BACKENDS = backup_backends

    def create(self) -> None:
        plan = self.backend.create_backup_plan(
            backup_plan=_plan_document(self.props["BackupPlan"]),
            backup_plan_tags=self.props.get("BackupPlanTags") or {},
            creator_request_id=None,
        )
        self.plan_id = plan.backup_plan_id

    def modify(self, previous: dict[str, Any]) -> None:
        plan = self.backend.plans[self.plan_id]
        plan.backup_plan = _plan_document(self.props["BackupPlan"])
        plan.version_id = mock_random.get_random_hex(32)

    def destroy(self) -> None:
        if self.plan_id in self.backend.plans:
            self.backend.delete_backup_plan(self.plan_id)
            self.backend.plans.pop(self.plan_id, None)

    def ref(self) -> str:
        return self.plan_id

    def attribute(self, name: str) -> Any:
        plan = self.backend.plans[self.plan_id]
        return {
            "BackupPlanArn": plan.backup_plan_arn,
            "BackupPlanId": plan.backup_plan_id,
            "VersionId": plan.version_id,
        }[name]


class BackupSelection(EmulatedResource):
    TYPE = "AWS::Backup::BackupSelection"
    ATTRIBUTES = ("BackupPlanId", "Id", "SelectionId")
    REPLACE_ON = ("BackupPlanId", "BackupSelection")

    def create(self) -> None:
        from emulator.aws.backup_api import create_selection

        self.plan_id = self.props["BackupPlanId"]
        self.selection_id = create_selection(
            self.account_id, self.region_name, self.plan_id, self.props["BackupSelection"]
        )

    def destroy(self) -> None:
        from emulator.aws.backup_api import delete_selection

        delete_selection(self.account_id, self.region_name, self.plan_id, self.selection_id, missing_ok=True)

    def ref(self) -> str:
        return self.selection_id

    def attribute(self, name: str) -> Any:
        return self.plan_id if name == "BackupPlanId" else self.selection_id


# --- CloudWatch, SNS, S3 --------------------------------------------------------------------------


def _metric_queries(metrics: list[dict[str, Any]] | None) -> list[MetricDataQuery] | None:
    if not metrics:
        return None
    queries = []
    for m in metrics:
        stat = m.get("MetricStat")
        queries.append(
            MetricDataQuery(
                query_id=m["Id"],
                label=m.get("Label"),
                period=m.get("Period"),
                return_data=m.get("ReturnData"),
                expression=m.get("Expression"),
                account_id=m.get("AccountId"),
                metric_stat={
                    "metric": {
                        "namespace": stat["Metric"]["Namespace"],
                        "metric_name": stat["Metric"]["MetricName"],
                        "dimensions": stat["Metric"].get("Dimensions") or [],
                    },
                    "period": stat["Period"],
                    "stat": stat["Stat"],
                    "unit": stat.get("Unit"),
                }
                if stat
                else None,
            )
        )
    return queries


class CloudWatchAlarm(EmulatedResource):
    TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    ATTRIBUTES = ("Arn",)
    REPLACE_ON = ("AlarmName",)

    BACKENDS = cloudwatch_backends

    def create(self) -> None:
        p = self.props
        self.backend.put_metric_alarm(
            name=self.name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            period=_int(p.get("Period")),
            threshold=float(p["Threshold"]),
            statistic=p.get("Statistic"),
            description=p.get("AlarmDescription"),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in p.get("Dimensions") or []],
            alarm_actions=p.get("AlarmActions") or [],
            metric_data_queries=_metric_queries(p.get("Metrics")),
            datapoints_to_alarm=_int(p.get("DatapointsToAlarm")),
            extended_statistic=p.get("ExtendedStatistic"),
            ok_actions=p.get("OKActions") or [],
            insufficient_data_actions=p.get("InsufficientDataActions") or [],
            unit=p.get("Unit"),
            actions_enabled=_bool(p.get("ActionsEnabled"), True),
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
            tags=[],
        )

    def modify(self, previous: dict[str, Any]) -> None:
        self.create()  # PutMetricAlarm overwrites an alarm of the same name

    def destroy(self) -> None:
        self.backend.delete_alarms([self.name])

    def attribute(self, name: str) -> Any:
        return self.backend.alarms[self.name].alarm_arn


class SNSSubscription(EmulatedResource):
    TYPE = "AWS::SNS::Subscription"
    REPLACE_ON = ("TopicArn", "Protocol", "Endpoint")

    def create(self) -> None:
        backend = sns_backends[self.account_id][self.region_name]
        self.arn = backend.subscribe(self.props["TopicArn"], self.props["Endpoint"], self.props["Protocol"]).arn

    def destroy(self) -> None:
        sns_backends[self.account_id][self.region_name].unsubscribe(self.arn)

    def ref(self) -> str:
        return self.arn


class SNSTopicPolicy(EmulatedResource):
    TYPE = "AWS::SNS::TopicPolicy"
    ATTRIBUTES = ("Id",)

    def create(self) -> None:
        self.policy_id = f"{self.name}-{mock_random.get_random_hex(8)}"
        self.modify({})

    def modify(self, previous: dict[str, Any]) -> None:
        backend = sns_backends[self.account_id][self.region_name]
        for topic_arn in self.props["Topics"]:
            backend.set_topic_attribute(topic_arn, "policy", json.dumps(self.props["PolicyDocument"]))

    def destroy(self) -> None:
        """AWS restores the default policy; moto's default is as good."""

    def ref(self) -> str:
        return self.policy_id

    def attribute(self, name: str) -> Any:
        return self.policy_id


class S3BucketPolicy(EmulatedResource):
    TYPE = "AWS::S3::BucketPolicy"
    ATTRIBUTES = ()  # the resource schema has no read-only properties
    REPLACE_ON = ("Bucket",)

    def create(self) -> None:
        self.modify({})

    def modify(self, previous: dict[str, Any]) -> None:
        backend = s3_backends[self.account_id]["aws"]
        backend.put_bucket_policy(_name(self.props["Bucket"]), json.dumps(self.props["PolicyDocument"]).encode())

    def destroy(self) -> None:
        backend = s3_backends[self.account_id]["aws"]
        if _name(self.props["Bucket"]) in backend.buckets:
            backend.delete_bucket_policy(_name(self.props["Bucket"]))

    def ref(self) -> str:
        return _name(self.props["Bucket"])

    def attribute(self, name: str) -> Any:
        return self.ref()


# --- CloudTrail -----------------------------------------------------------------------------------


class CloudTrailTrail(EmulatedResource):
    """AWS::CloudTrail::Trail. As AWS, creation is refused unless the bucket policy lets CloudTrail
    write (InsufficientS3BucketPolicyException), so a template that forgets it fails here too."""

    TYPE = "AWS::CloudTrail::Trail"
    NAME_PROPERTY = "TrailName"
    ATTRIBUTES = ("Arn", "SnsTopicArn")
    REPLACE_ON = ("TrailName",)

    BACKENDS = cloudtrail_backends

    def create(self) -> None:
        p = self.props
        bucket = _name(p["S3BucketName"])
        self._check_bucket_policy(bucket)
        topic = p.get("SnsTopicName")
        trail = self.backend.create_trail(
            self.name,
            bucket,
            p.get("S3KeyPrefix"),
            topic.rsplit(":", 1)[-1] if topic else None,
            _bool(p.get("IncludeGlobalServiceEvents"), True),
            _bool(p.get("IsMultiRegionTrail")),
            _bool(p.get("EnableLogFileValidation")),
            _bool(p.get("IsOrganizationTrail")),
            p.get("CloudWatchLogsLogGroupArn"),
            p.get("CloudWatchLogsRoleArn"),
            p.get("KMSKeyId"),
            _tags(p),
        )
        if p.get("EventSelectors"):
            trail.put_event_selectors(p["EventSelectors"], None)
        if _bool(p.get("IsLogging")):
            trail.start_logging()

    def _check_bucket_policy(self, bucket: str) -> None:
        policy = s3_backends[self.account_id]["aws"].get_bucket(bucket).policy
        statements = json.loads(policy)["Statement"] if policy else []
        for statement in statements:
            principal = (statement.get("Principal") or {}) if isinstance(statement.get("Principal"), dict) else {}
            actions = statement.get("Action")
            actions = [actions] if isinstance(actions, str) else actions or []
            if (
                statement.get("Effect") == "Allow"
                and principal.get("Service") == "cloudtrail.amazonaws.com"
                and "s3:PutObject" in actions
            ):
                return
        raise ValueError(
            f"Incorrect S3 bucket policy is detected for bucket: {bucket} (InsufficientS3BucketPolicyException)"
        )

    def modify(self, previous: dict[str, Any]) -> None:
        self.destroy()
        self.create()

    def destroy(self) -> None:
        self.backend.delete_trail(self.name)

    def attribute(self, name: str) -> Any:
        trail = self.backend.get_trail(self.name)
        return trail.arn if name == "Arn" else trail.topic_arn
