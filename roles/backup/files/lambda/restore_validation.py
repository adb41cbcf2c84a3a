"""Validates AWS Backup's monthly restore test of the Aurora cluster with the restore drill's own checks.

The restore testing plan of backup-policy.yaml restores the newest recovery point once a month. AWS Backup
emits "Restore Job State Change" when the job completes; an EventBridge rule runs this function with it
(https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-validation.html). It

1. adds an instance to the restored cluster (AWS Backup restores an Aurora cluster without one) and waits,
2. runs the checks the restore drill runs (plugins/module_utils/data_checks.py, inlined below): the expected
   tables, each table's rows against the source's rows written up to the recovery point, the validation
   queries - CHECKS, the same setting as the drill's dr_drill_restore_checks,
3. removes that instance again, so that AWS Backup can delete the restored cluster when validation ends,
4. reports SUCCESSFUL or FAILED, with what was found, through PutRestoreValidationResult, and announces a
   failure on the backup notification topic.

A validation that cannot run (no instance, no connection, bad checks) is reported FAILED with the reason.
It connects with psycopg (the layer of PostgresDriverLayerArn) from the VPC's private subnets, as the
master user of DATABASE_SECRET_ARN: a restored cluster keeps the source's users.

This file is the source of truth; `make lambda-code` embeds it in backup-policy.yaml, with
plugins/module_utils/data_checks.py inlined.
"""

import json
import os

import boto3

# The checks and their verdicts are the postgresql_data_checks module's own: `make lambda-code` inlines
# plugins/module_utils/data_checks.py in place of this import.
from data_checks import problems, run  # lambda-inline: plugins/module_utils/data_checks.py

WAIT_SECONDS = 15
MESSAGE_LIMIT = 1000  # a status message a person reads in the console


def _attempts(context, reserve_seconds):
    """Waiter attempts that fit in the function's remaining time, keeping ``reserve_seconds`` for what follows."""
    left = context.get_remaining_time_in_millis() / 1000 if context else 900
    return max(1, int((left - reserve_seconds) // WAIT_SECONDS))


def summary(result):
    """One line per check: what a person reads as the restore job's validation message."""
    lines = ["%s: %s (%s)" % (c["name"], c["status"], c["detail"]) for c in result["checks"]]
    lines += ["%s: skipped" % name for name in result["skipped"]]
    return "; ".join(lines)[:MESSAGE_LIMIT]


def validate(job, rds, secrets, context=None):
    """The checks of the restored cluster of ``job`` (DescribeRestoreJob), as data_checks.run returns them."""
    import psycopg  # here, so that a function without the driver's layer reports that as its finding

    checks = json.loads(os.environ.get("CHECKS") or "{}")
    found = problems(checks.get("tables"), checks.get("row_counts"), checks.get("queries"))
    if found:
        raise ValueError("invalid checks: " + "; ".join(found))
    secret = json.loads(secrets.get_secret_value(SecretId=os.environ["DATABASE_SECRET_ARN"])["SecretString"])
    cluster_id = job["CreatedResourceArn"].split(":")[-1]
    engine = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]["Engine"]
    instance = cluster_id[:52] + "-validation"
    rds.create_db_instance(
        DBInstanceIdentifier=instance,
        DBClusterIdentifier=cluster_id,
        Engine=engine,
        DBInstanceClass=os.environ["INSTANCE_CLASS"],
    )
    try:
        wait = {"Delay": WAIT_SECONDS, "MaxAttempts": _attempts(context, 300)}
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=instance, WaiterConfig=wait)
        cluster = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]

        def connect(host, port):
            return psycopg.connect(
                host=host,
                port=port,
                user=secret["username"],
                password=secret["password"],
                dbname=os.environ["DATABASE_NAME"],
                connect_timeout=10,
                autocommit=True,
                options="-c default_transaction_read_only=on",
            )

        return run(
            connect,
            psycopg.Error,
            checks,
            (cluster["Endpoint"], cluster["Port"]),
            (secret["host"], int(secret["port"])),
            job["RecoveryPointCreationDate"].timestamp(),
        )
    finally:
        rds.delete_db_instance(DBInstanceIdentifier=instance)
        wait = {"Delay": WAIT_SECONDS, "MaxAttempts": _attempts(context, 30)}
        rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=instance, WaiterConfig=wait)


def handler(event, context):
    job_id = event["detail"]["restoreJobId"]
    backup = boto3.client("backup")
    job = backup.describe_restore_job(RestoreJobId=job_id)
    backup.put_restore_validation_result(RestoreJobId=job_id, ValidationStatus="VALIDATING")
    try:
        result = validate(job, boto3.client("rds"), boto3.client("secretsmanager"), context)
        status, message = ("SUCCESSFUL" if result["passed"] else "FAILED"), summary(result)
    except Exception as error:  # noqa: BLE001 - a validation that cannot run is a failed one, and says why
        status, message = "FAILED", ("validation could not run: %s" % error)[:MESSAGE_LIMIT]
    backup.put_restore_validation_result(RestoreJobId=job_id, ValidationStatus=status, ValidationStatusMessage=message)
    if status == "FAILED":  # AWS Backup notifies no validation result: people hear of a failed one here
        boto3.client("sns").publish(
            TopicArn=os.environ["NOTIFICATION_TOPIC_ARN"],
            Subject="Restore test of %s failed validation" % job["SourceResourceArn"].split(":")[-1],
            Message="Restore job %s: %s" % (job_id, message),
        )
    print(json.dumps({"restore_job_id": job_id, "validation_status": status, "message": message}))
    return {"restore_job_id": job_id, "validation_status": status, "message": message}
