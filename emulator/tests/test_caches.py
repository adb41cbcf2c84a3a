"""Real Redis servers behind ElastiCache replication groups (emulator/aws/caches.py, setting ``caches: redis``):
the endpoint ElastiCache reports is a server that holds what is written, a Global Datastore's secondary
replicates the primary asynchronously with the injected lag, and FailoverGlobalReplicationGroup promotes it with
what it had received (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastore.html). A
group with in-transit encryption answers TLS only
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html).
"""

from __future__ import annotations

import pathlib
import ssl
import time

import pytest


def _wait(condition, timeout: float = 10):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def test_the_endpoint_is_a_real_server_that_asks_for_tls_and_the_auth_token(command, cache_group, client):
    host, port = cache_group("cache")
    assert host == "127.0.0.1"
    assert command(port, "SET", "model:1", "resnet") == "OK"
    assert command(port, "GET", "model:1") == "resnet"
    with pytest.raises(RuntimeError, match="NOAUTH"):
        command(port, "GET", "model:1", password=None)
    with pytest.raises(OSError):  # in-transit encryption: a plain connection gets no answer (the server closes it)
        command(port, "PING", ca=None, timeout=2)
    with pytest.raises(ssl.SSLCertVerificationError):  # the certificate is the emulator CA's, not any
        command(port, "PING", ca=pathlib.Path(ssl.get_default_verify_paths().openssl_cafile))
    client("elasticache").delete_replication_group(ReplicationGroupId="cache")
    with pytest.raises(OSError):
        command(port, "PING", timeout=1)  # its server is gone


def test_the_secondary_replicates_with_the_lag_and_a_failover_loses_what_was_in_flight(
    caches, command, cache_group, client
):
    _host, primary_port = cache_group("cache")
    client("elasticache").create_global_replication_group(
        GlobalReplicationGroupIdSuffix="registry", PrimaryReplicationGroupId="cache"
    )
    caches.post("aws", "/_emulator/config", {"replication_lag_ms": {"cache-dr": 1500}})
    _host, secondary_port = cache_group("cache-dr", "us-east-1", GlobalReplicationGroupId="sgaui-registry")

    command(primary_port, "SET", "sentinel:1", "before")
    _wait(lambda: command(secondary_port, "GET", "sentinel:1") == "before")  # the full sync
    written = time.time()
    command(primary_port, "SET", "sentinel:2", "lagging")
    time.sleep(0.5)
    assert command(secondary_port, "GET", "sentinel:2") is None  # still on its way
    _wait(lambda: command(secondary_port, "GET", "sentinel:2") == "lagging")
    assert time.time() - written >= 1.4  # the injected lag
    with pytest.raises(RuntimeError, match="READONLY"):
        command(secondary_port, "SET", "x", "y")  # a replica takes no writes

    command(primary_port, "SET", "sentinel:3", "in flight")
    client("elasticache", "us-east-1").failover_global_replication_group(
        GlobalReplicationGroupId="sgaui-registry", PrimaryRegion="us-east-1", PrimaryReplicationGroupId="cache-dr"
    )
    time.sleep(0.3)
    client("elasticache").describe_global_replication_groups(GlobalReplicationGroupId="sgaui-registry")  # completes it
    assert command(secondary_port, "SET", "sentinel:4", "after") == "OK"  # the new primary writes
    assert command(secondary_port, "GET", "sentinel:3") is None  # lost with the relay
    # the old primary follows the new one: it ends with the new primary's data, the lost key gone there too
    # (a full resynchronization: on a loaded machine it took over 10 s)
    _wait(lambda: command(primary_port, "GET", "sentinel:4") == "after", timeout=60)
    assert command(primary_port, "GET", "sentinel:3") is None
