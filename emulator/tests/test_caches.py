"""Real Redis servers behind ElastiCache replication groups (emulator/aws/caches.py, setting ``caches: redis``):
the endpoint ElastiCache reports is a server that holds what is written, a Global Datastore's secondary
replicates the primary asynchronously with the injected lag, and FailoverGlobalReplicationGroup promotes it with
what it had received (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastore.html). A
group with in-transit encryption answers TLS only
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html).
"""

from __future__ import annotations

import functools
import pathlib
import ssl
import time

import pytest

from emulator import tls
from emulator.aws.caches import command as caches_command

TOKEN = "a-long-enough-auth-token-0123456789"


@pytest.fixture
def caches(aws):
    aws.post("aws", "/_emulator/config", {"caches": "redis", "redis_global_failover_seconds": 0.2})
    return aws


@pytest.fixture
def command(caches):
    """The emulator's RESP client over TLS, trusting the emulator's CA (every group here has in-transit encryption)."""
    return functools.partial(caches_command, ca=tls.files(caches.tls_dir).ca)


def _create(client, name: str, region: str = "us-west-2", **extra) -> dict:
    return client("elasticache", region).create_replication_group(
        ReplicationGroupId=name, ReplicationGroupDescription=name, NumCacheClusters=2, **extra
    )["ReplicationGroup"]


def _endpoint(group: dict) -> tuple[str, int]:
    endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]
    return endpoint["Address"], endpoint["Port"]


def _wait(condition, timeout: float = 10):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def test_the_endpoint_is_a_real_server_that_asks_for_tls_and_the_auth_token(command, client):
    group = _create(client, "cache", CacheNodeType="cache.r6g.large", TransitEncryptionEnabled=True, AuthToken=TOKEN)
    host, port = _endpoint(group)
    assert host == "127.0.0.1"
    assert command(port, "SET", "model:1", "resnet", password=TOKEN) == "OK"
    assert command(port, "GET", "model:1", password=TOKEN) == "resnet"
    with pytest.raises(RuntimeError, match="NOAUTH"):
        command(port, "GET", "model:1")
    with pytest.raises(OSError):  # in-transit encryption: a plain connection gets no answer (the server closes it)
        caches_command(port, "PING", password=TOKEN, timeout=2)
    with pytest.raises(ssl.SSLCertVerificationError):  # the certificate is the emulator CA's, not any
        caches_command(port, "PING", password=TOKEN, ca=pathlib.Path(ssl.get_default_verify_paths().openssl_cafile))
    client("elasticache").delete_replication_group(ReplicationGroupId="cache")
    with pytest.raises(OSError):
        command(port, "PING", password=TOKEN, timeout=1)  # its server is gone


def test_the_secondary_replicates_with_the_lag_and_a_failover_loses_what_was_in_flight(caches, command, client):
    _create(client, "cache", CacheNodeType="cache.r6g.large", TransitEncryptionEnabled=True, AuthToken=TOKEN)
    client("elasticache").create_global_replication_group(
        GlobalReplicationGroupIdSuffix="registry", PrimaryReplicationGroupId="cache"
    )
    caches.post("aws", "/_emulator/config", {"replication_lag_ms": {"cache-dr": 1500}})
    secondary = _create(client, "cache-dr", "us-east-1", GlobalReplicationGroupId="sgaui-registry")
    primary_port = _endpoint(client("elasticache").describe_replication_groups()["ReplicationGroups"][0])[1]
    secondary_port = _endpoint(secondary)[1]

    command(primary_port, "SET", "sentinel:1", "before", password=TOKEN)
    _wait(lambda: command(secondary_port, "GET", "sentinel:1", password=TOKEN) == "before")  # the full sync
    written = time.time()
    command(primary_port, "SET", "sentinel:2", "lagging", password=TOKEN)
    time.sleep(0.5)
    assert command(secondary_port, "GET", "sentinel:2", password=TOKEN) is None  # still on its way
    _wait(lambda: command(secondary_port, "GET", "sentinel:2", password=TOKEN) == "lagging")
    assert time.time() - written >= 1.4  # the injected lag
    with pytest.raises(RuntimeError, match="READONLY"):
        command(secondary_port, "SET", "x", "y", password=TOKEN)  # a replica takes no writes

    command(primary_port, "SET", "sentinel:3", "in flight", password=TOKEN)
    client("elasticache", "us-east-1").failover_global_replication_group(
        GlobalReplicationGroupId="sgaui-registry", PrimaryRegion="us-east-1", PrimaryReplicationGroupId="cache-dr"
    )
    time.sleep(0.3)
    client("elasticache").describe_global_replication_groups(GlobalReplicationGroupId="sgaui-registry")  # completes it
    assert command(secondary_port, "SET", "sentinel:4", "after", password=TOKEN) == "OK"  # the new primary writes
    assert command(secondary_port, "GET", "sentinel:3", password=TOKEN) is None  # lost with the relay
    # the old primary follows the new one: it ends with the new primary's data, the lost key gone there too
    # (a full resynchronization: on a loaded machine it took over 10 s)
    _wait(lambda: command(primary_port, "GET", "sentinel:4", password=TOKEN) == "after", timeout=60)
    assert command(primary_port, "GET", "sentinel:3", password=TOKEN) is None
