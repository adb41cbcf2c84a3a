"""Fixtures of the plugins' unit tests."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import redis

from ansible_collections.ai_model_registry.infra.plugins.module_utils import redis_connection


@pytest.fixture
def redis_server(tmp_path):
    """A plain redis-server on a free loopback port (the emulator's run TLS: test_caches.py, the drills)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL)  # noqa: S603
    params = {"login_host": "127.0.0.1", "login_port": port, "login_password": None, "tls": False}
    client = redis_connection.connect(dict(params, connect_timeout=2))
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.time() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield client
    process.terminate()
    process.wait(10)
