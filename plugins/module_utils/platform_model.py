# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one model of the platform: every name, the recovery targets and the drill cadence.

Roles ask this model (through the ``registry_model`` filter) instead of re-deriving another role's
names. The names follow the templates: the seed's names in production (``ai-model-registry-aurora``),
the environment after the prefix elsewhere (``ai-model-registry-staging-aurora``), so several
environments share an account; resources the templates always name with the environment (topics,
vaults, KMS aliases) keep it in production too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DEFAULT_PREFIX = "ai-model-registry"
ENVIRONMENTS = ("development", "staging", "production")

# The seed's targets: RTO 4 hours, RPO 1 hour.
RTO_TARGET_SECONDS = 4 * 3600
RPO_TARGET_SECONDS = 3600

# The seed's cadence as AWX accepts it: AWX needs INTERVAL and no numeric BYDAY prefix ("1TU"), so
# "the first Tuesday" is a Tuesday among the days 1-7 (awx/docs/schedules.md); the time of day is the
# schedule's DTSTART.
DRILL_CADENCE = {
    "restore": {"every": "month", "rrule": "FREQ=MONTHLY;INTERVAL=1;BYDAY=TU;BYMONTHDAY=1,2,3,4,5,6,7"},
    "switchover": {"every": "quarter", "rrule": "FREQ=MONTHLY;INTERVAL=3;BYDAY=TU;BYMONTHDAY=8,9,10,11,12,13,14"},
    "full": {"every": "year", "rrule": "FREQ=YEARLY;INTERVAL=1;BYMONTH=3;BYDAY=TU;BYMONTHDAY=15,16,17,18,19,20,21"},
}

# The replication rule of the artifacts bucket (disaster-recovery.yaml).
ARTIFACTS_REPLICATION_RULE = "artifacts-to-dr-region"


def stack_base(prefix, environment):
    """``prefix`` in production, ``prefix-environment`` elsewhere: the stem of stack and data-store names."""
    if environment not in ENVIRONMENTS:
        raise ValueError("environment must be one of %s, not %r" % (", ".join(ENVIRONMENTS), environment))
    return prefix if environment == "production" else "%s-%s" % (prefix, environment)


# The subscription slots of every stack's alarm topic: each template takes its subscribers as two list parameters
# (AlarmSubscriptionProtocols, AlarmSubscriptionEndpoints, CommaDelimitedList) and declares five subscriptions.
ALARM_SUBSCRIPTION_SLOTS = 5


def alarm_subscription_problems(subscriptions):
    """What the templates cannot take in a list of alarm subscribers ({protocol, endpoint}), one phrase each."""
    problems = []
    if len(subscriptions) > ALARM_SUBSCRIPTION_SLOTS:
        problems.append(
            "lists %d subscribers; the alarm topics take at most %d" % (len(subscriptions), ALARM_SUBSCRIPTION_SLOTS)
        )
    for subscriber in subscriptions:
        if not isinstance(subscriber, dict) or not subscriber.get("protocol") or not subscriber.get("endpoint"):
            problems.append("has %r, which is not a {protocol, endpoint} pair" % (subscriber,))
        elif "," in str(subscriber["endpoint"]):
            problems.append(
                "has the endpoint %r with a comma, which the template's list parameter would split"
                % subscriber["endpoint"]
            )
    return problems


# The names AWS limits in length (the templates name them from the model): ElastiCache's replication group IDs
# (1-40 characters, CreateReplicationGroup) and RDS's cluster identifiers (1-63, CreateDBCluster).
NAME_LIMITS = (
    ("redis_replication_group", "ElastiCache's replication group ID", 40),
    ("redis_dr_replication_group", "ElastiCache's replication group ID", 40),
    ("aurora_cluster", "RDS's cluster identifier", 63),
    ("aurora_dr_cluster", "RDS's cluster identifier", 63),
    ("global_cluster", "RDS's global cluster identifier", 63),
)


def name_errors(prefix, environment):
    """The names of ``environment`` that ``prefix`` makes longer than AWS allows, one sentence each."""
    names = model(prefix, environment)
    errors = []
    for key, what, limit in NAME_LIMITS:
        name = names[key]
        if len(name) > limit:
            errors.append(
                "registry_name_prefix %r is too long for %s: %s %r would have %d characters, AWS allows at most %d "
                "characters (shorten the prefix to at most %d)"
                % (prefix, environment, what, name, len(name), limit, len(prefix) - (len(name) - limit))
            )
    return errors


def model(prefix, environment, artifacts_bucket=None):
    """Names, targets and cadence of one environment of the platform, as a plain dict."""
    prefix = prefix or DEFAULT_PREFIX
    base = stack_base(prefix, environment)
    full = "%s-%s" % (prefix, environment)  # names the templates always give the environment
    stacks = {
        "aurora": base + "-aurora",
        "redis": base + "-redis",
        "redis_dr": base + "-redis-dr",
        "backup": base + "-backup",
        "backup_dr_vault": base + "-backup-dr-vault",
        "dr": base + "-dr",
        "dr_replica": base + "-dr-replica",
        "dr_secondary": base + "-dr-secondary",
    }
    names = {
        "prefix": prefix,
        "environment": environment,
        "stacks": stacks,
        "aurora_cluster": base + "-aurora-cluster",
        "aurora_dr_cluster": base + "-aurora-cluster-dr",
        "global_cluster": base + "-aurora-cluster-global",
        "redis_replication_group": base + "-redis",
        "redis_dr_replication_group": base + "-redis-dr",  # the Global Datastore's secondary
        "secrets": {
            "database": base + "-aurora-db-credentials",
            "redis_auth_token": base + "-redis-auth-token",
        },
        "topics": {
            "aurora_alarms": full + "-aurora-alarms",
            "redis_alarms": full + "-redis-alarms",
            "backup": full + "-backup-notifications",
            "dr": full + "-dr-notifications",
        },
        "backup_vaults": {"primary": full + "-vault", "dr": full + "-dr-vault"},
        # the backup stack's function that copies Redis to the DR region (a drill or switchover asks it for a copy)
        "functions": {"redis_dr_copies": full + "-redis-dr-copies"},
        "drill": {
            "lock_parameter": "/%s/%s/dr-drill/lock" % (prefix, environment),
            "temporary_cluster_prefix": full + "-drill-",
        },
        # Tags of every stack (CloudFormation propagates them to the resources); a role adds its Component.
        "tags": {"Project": DEFAULT_PREFIX, "Environment": environment, "ManagedBy": "ai_model_registry.infra"},
        "targets": {"rto_seconds": RTO_TARGET_SECONDS, "rpo_seconds": RPO_TARGET_SECONDS},
        "cadence": {kind: dict(value) for kind, value in DRILL_CADENCE.items()},
    }
    if artifacts_bucket:
        names["buckets"] = {
            "artifacts": artifacts_bucket,
            "artifacts_replica": artifacts_bucket + "-replica",
            # CloudFormation reads templates over its request limit from here (docs/iam/roles.yaml makes it)
            "templates": artifacts_bucket + "-templates",
        }
        names["replication_rules"] = {"artifacts": ARTIFACTS_REPLICATION_RULE}
    return names
