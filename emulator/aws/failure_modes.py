"""The failure modes AWS documents that the emulator models, each with its page and the tests that follow it, and
what it does not model. The fidelity report (tools/fidelity.py, docs/fidelity.md) lists them per action and per
CloudFormation resource type; emulator/tests/test_fidelity.py checks that every test named here exists.

``applies_to``: ``service.Action`` names, CloudFormation types, or ``service.*`` / ``*`` / ``AWS::*`` patterns.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass


@dataclass(frozen=True)
class FailureMode:
    name: str
    doc: str
    applies_to: tuple[str, ...]
    tests: tuple[str, ...]  # "path::test_name"

    def applies(self, subject: str) -> bool:
        return any(fnmatch.fnmatchcase(subject, pattern) for pattern in self.applies_to)


_FM = "emulator/tests/test_failure_modes.py"
_CFM = "tests/integration/test_aws_failure_modes.py"
_CFN = "emulator/tests/test_cfn_engine.py"
_SNAP = "emulator/tests/test_cache_snapshots.py"

FAILURE_MODES = (
    FailureMode(
        "Throttling: the service's own error code and status, in the protocol the client spoke (throttling.py)",
        "https://repost.aws/knowledge-center/cloudwatch-400-error-throttling",
        ("*.*",),
        (
            f"{_FM}::test_a_throttled_call_carries_its_services_code_and_status",
            f"{_FM}::test_cloudwatch_throttles_a_query_client_in_xml_and_a_json_client_in_json",
            f"{_CFM}::test_the_collections_retries_recover_from_each_services_throttle",
        ),
    ),
    FailureMode(
        "Paging: lists page with the paginator model's tokens; the page size shrinks to 1 in tests (paging.py)",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DescribeSnapshots.html",
        ("*.List*", "*.Describe*", "cloudwatch.GetMetricData"),
        (
            "emulator/tests/test_paginators.py::test_token_names_are_those_of_botocores_paginator_model",
            "tests/integration/test_page_size_one.py::test_the_old_next_token_loop_sees_only_the_first_page_of_redis_snapshots",
        ),
    ),
    FailureMode(
        "Termination protection: DeleteStack is refused while it is enabled",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html",
        ("cloudformation.DeleteStack", "cloudformation.UpdateTerminationProtection", "cloudformation.CreateStack"),
        (
            f"{_FM}::test_a_stack_with_termination_protection_is_not_deleted",
            f"{_CFM}::test_a_protected_stack_is_deleted_only_with_the_teardown_confirmation",
        ),
    ),
    FailureMode(
        "UPDATE_ROLLBACK_FAILED: a resource that cannot be restored; the stack refuses updates",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed",
        ("cloudformation.UpdateStack", "cloudformation.DescribeStacks", "cloudformation.DescribeStackEvents"),
        (
            f"{_FM}::test_an_update_whose_rollback_fails_ends_update_rollback_failed_and_refuses_updates",
            f"{_CFM}::test_a_stack_in_update_rollback_failed_is_refused_with_the_command_that_shows_why",
        ),
    ),
    FailureMode(
        "A failed resource rolls the creation or update back, with its reason in the stack events",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html",
        ("cloudformation.CreateStack", "cloudformation.UpdateStack", "cloudformation.DescribeStackEvents"),
        (f"{_CFN}::test_a_failing_resource_rolls_the_creation_back", f"{_CFN}::test_a_failed_update_rolls_back"),
    ),
    FailureMode(
        'An update without changes is refused ("No updates are to be performed.")',
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html",
        ("cloudformation.UpdateStack",),
        (f"{_CFN}::test_an_update_without_changes_is_refused",),
    ),
    FailureMode(
        "Resource provider schemas: required properties refused, Fn::GetAtt only what the schema lists",
        "https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html",
        ("AWS::*",),
        (
            "emulator/tests/test_resource_schemas.py::test_required_properties_are_enforced",
            "emulator/tests/test_resource_schemas.py::test_the_emulator_serves_no_attribute_the_schema_does_not_list",
        ),
    ),
    FailureMode(
        "S3 bucket policy conditions as IAM evaluates them (absent keys, case, AND/OR; policies.py)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
        ("s3.PutObject", "s3.GetObject", "s3.HeadObject", "s3.DeleteObject", "AWS::S3::BucketPolicy"),
        (
            f"{_FM}::test_every_bucket_policy_condition_of_the_templates_is_one_the_emulator_evaluates",
            f"{_FM}::test_bucket_policy_conditions_follow_iams_evaluation",
        ),
    ),
    FailureMode(
        "Service principals publishing to SNS: topic policy and KMS key policy (CloudWatch alarms; not alias/aws/sns)",
        "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
        (
            "cloudwatch.SetAlarmState",
            "cloudwatch.DescribeAlarmHistory",
            "AWS::KMS::Key",
            "AWS::SNS::Topic",
            "AWS::SNS::TopicPolicy",
            "AWS::CloudWatch::Alarm",
        ),
        (
            "emulator/tests/test_alarms.py::test_the_aws_managed_key_alias_aws_sns_keeps_alarm_notifications_from_subscribers",
            "emulator/tests/test_alarms.py::test_a_customer_managed_key_must_allow_cloudwatch_both_key_actions",
            "emulator/tests/test_alarms.py::test_a_topic_policy_that_does_not_let_cloudwatch_publish_is_recorded_as_aws_records_it",
        ),
    ),
    FailureMode(
        "Global database switchover and failover: transitions, refusals with AWS's error codes",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html",
        ("rds.SwitchoverGlobalCluster", "rds.FailoverGlobalCluster", "rds.DescribeGlobalClusters"),
        (
            "emulator/tests/test_global_failover.py::test_refusals_carry_aws_error_codes",
            "emulator/tests/test_global_failover.py::test_one_transition_at_a_time_and_no_mixed_parameters",
        ),
    ),
    FailureMode(
        "AWS Backup jobs that fail, restores into a taken identifier, vaults with recovery points",
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartRestoreJob.html",
        ("backup.*",),
        (
            "emulator/tests/test_backup_jobs.py::test_an_injected_fault_fails_the_job_with_its_message",
            "emulator/tests/test_backup_jobs.py::test_a_restore_job_into_a_taken_identifier_or_with_a_fault_fails_with_its_message",
            "emulator/tests/test_backup_jobs.py::test_a_vault_with_recovery_points_cannot_be_deleted",
        ),
    ),
    FailureMode(
        "Drift: resources changed outside CloudFormation are MODIFIED or DELETED",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html",
        (
            "cloudformation.DetectStackDrift",
            "cloudformation.DescribeStackDriftDetectionStatus",
            "cloudformation.DescribeStackResourceDrifts",
        ),
        ("emulator/tests/test_drift.py::test_a_console_edit_of_the_aurora_cluster_is_modified",),
    ),
    FailureMode(
        "ElastiCache snapshot export to S3 and seeding from S3: ElastiCache's access (a bucket policy for "
        "<region>.elasticache-snapshot.amazonaws.com, or ACL grants where ACLs are enabled), the bucket's region, "
        "a key taken (cache_snapshots.py)",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html",
        ("elasticache.CopySnapshot", "elasticache.CreateReplicationGroup", "AWS::ElastiCache::ReplicationGroup"),
        (
            f"{_SNAP}::test_an_export_elasticache_cannot_make_is_refused_and_writes_nothing",
            f"{_SNAP}::test_a_seed_elasticache_cannot_read_is_refused_before_anything_is_created",
            f"{_SNAP}::test_cloudformation_fails_a_replication_group_whose_seed_elasticache_cannot_read",
            f"{_SNAP}::test_acl_grants_to_elasticaches_canonical_id_count_only_where_acls_are_enabled",
        ),
    ),
)

# What the emulator does not model, so no test here can catch the collection depending on it.
NOT_MODELLED = (
    "IAM authorization of the caller: the emulator accepts any credentials (tools/iam_policies.py checks the calls "
    "of each run against the personas' policies instead).",
    "Condition operators other than String*, Arn*, Bool and Null (IpAddress, Numeric*, Date*, ForAnyValue:/"
    "ForAllValues:): a policy using one fails in the emulator (policies.UnsupportedCondition).",
    "ContinueUpdateRollback: a stack left UPDATE_ROLLBACK_FAILED stays there; the collection only refuses it.",
    "Service quotas (stacks per account, snapshots per cluster...) and their LimitExceeded errors.",
    "Eventual consistency: a write is visible to the next read at once.",
    "KMS encryption of data at rest: keys and their policies are modelled, ciphertexts are not.",
    "Real replication latency and cross-region networking: lag and replication delay are settings.",
    "CBOR (smithy-rpc-v2-cbor): clients that speak it get JSON; this botocore speaks JSON to CloudWatch.",
    "A seed ElastiCache cannot read: AWS creates the replication group and reports the failure as an event "
    "(create-failed); the emulator refuses CreateReplicationGroup (InvalidParameterValue) and creates nothing.",
    "An export takes no time: the object is in the bucket when CopySnapshot answers (its answer says exporting).",
    "S3 ACLs of a BucketOwnerEnforced bucket are not refused (AccessControlListNotSupported); "
    "GetBucketOwnershipControls answers BucketOwnerEnforced, which amazon.aws.s3_object reads to set no ACL.",
)
