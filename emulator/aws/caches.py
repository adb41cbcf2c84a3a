"""Real Redis servers behind emulated ElastiCache replication groups (setting ``caches: redis``).

With the setting on, each Redis replication group created afterwards gets a local Redis server (Debian's
``redis-server``), and the ElastiCache API reports it as the group's endpoint: ``PrimaryEndPoint`` and
``ReaderEndPoint`` ``127.0.0.1``, the port the server's, the AUTH token the group was created with. So the
application's ``redis-credentials`` and the drills connect, write and read for real:

- The secondary of a Global Datastore (global_datastore.py) is a replica of the primary's server
  (``REPLICAOF``), fed through the same relay as a PostgreSQL standby (databases.Relay): the primary's
  replication stream reaches it the injected lag later (setting ``replication_lag_ms``, a number or
  ``{fnmatch of the replication group ID: ms}``, 50 ms by default): asynchronous cross-region replication, which
  AWS documents as typically under a second behind
  (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastore.html).
- ``FailoverGlobalReplicationGroup`` promotes the secondary (``REPLICAOF NO ONE``) with what it had received:
  what the relay still held back is lost. The old primary becomes a replica of the new one.
- A group with in-transit encryption (``TransitEncryptionEnabled``, a secondary as its primary) answers TLS only,
  as ElastiCache does (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html), with
  a certificate of the emulator's CA (emulator/tls.py), which the emulator's environment trusts; replication
  between the servers is TLS too (``tls-replication``), relayed as it is.
- Deleting the group stops its server; a reset or the emulator's exit stops them all.
- ``dump`` saves a server's data (``SAVE``) and returns its RDB file: what a snapshot of the group holds
  (cache_snapshots.py). A group seeded from an RDB (``SEEDS`` hooks: CreateReplicationGroup's SnapshotArns) gets
  it as its server's ``dump.rdb`` before the server starts, and Redis loads that file at start.

Servers listen on 127.0.0.1 only, keep nothing on disk but what ``SAVE`` writes (``save ""``, no AOF), each in its
own directory.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import pathlib
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

from moto.elasticache.models import ElastiCacheBackend, ReplicationGroup

from emulator import tls as emulator_tls
from emulator.aws import control, databases, global_datastore
from emulator.aws.control import STATE

SETTING = "caches"


@dataclasses.dataclass
class CacheServer:
    group_id: str
    port: int
    token: str | None
    directory: pathlib.Path
    process: subprocess.Popen
    tls: bool = False  # in-transit encryption: TLS connections only
    relay: databases.Relay | None = None  # a replica's link to its primary


SERVERS: dict[str, CacheServer] = {}  # replication group ARN -> its server
# Called as hook(backend, group) before a new group's server starts: the RDB bytes it starts with, or None.
SEEDS: list = []
DUMP_FILE = "dump.rdb"  # Redis's default dbfilename, in the server's --dir


def enabled() -> bool:
    return STATE.settings.get(SETTING) == "redis" and available()


def available() -> bool:
    return shutil.which("redis-server") is not None


def tls_files() -> emulator_tls.Files:
    """The emulator's CA and server certificate (the launcher makes them; made here for a server started without)."""
    return emulator_tls.ensure(pathlib.Path(os.environ.get("EMULATOR_STATE_DIR") or tempfile.gettempdir()) / "tls")


def command(port: int, *args: str, password: str | None = None, timeout: float = 5, ca: pathlib.Path | None = None):
    """One Redis command over RESP (after AUTH with ``password``; over TLS trusting ``ca``, the emulator's CA, when
    given): its reply, a Redis error raised as RuntimeError."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as plain:
        conn = (
            ssl.create_default_context(cafile=str(ca)).wrap_socket(plain, server_hostname="127.0.0.1") if ca else plain
        )
        reader = conn.makefile("rb")
        for request in ([("AUTH", password)] if password else []) + [args]:
            conn.sendall(b"".join([f"*{len(request)}\r\n".encode()] + [_bulk(a) for a in request]))
            reply = _reply(reader)
        return reply


def _bulk(value) -> bytes:
    data = str(value).encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


def _reply(reader):
    line = reader.readline()
    if not line:
        raise ConnectionError("the server closed the connection")
    line = line.rstrip(b"\r\n")
    kind, rest = line[:1], line[1:].decode()
    if kind == b"-":
        raise RuntimeError(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if rest == "-1" else reader.read(int(rest) + 2)[:-2].decode()
    if kind == b"*":
        return None if rest == "-1" else [_reply(reader) for _index in range(int(rest))]
    return rest


def _ca(server: CacheServer) -> pathlib.Path | None:
    return tls_files().ca if server.tls else None


def _wait_ready(server: CacheServer, timeout: float = 10) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            command(server.port, "PING", password=server.token, timeout=1, ca=_ca(server))
            return
        except (OSError, RuntimeError):
            if server.process.poll() is not None or time.time() > deadline:
                log = (server.directory / "log").read_text()[-1500:] if (server.directory / "log").exists() else ""
                raise RuntimeError(f"redis-server for {server.group_id} did not start:\n{log}") from None
            time.sleep(0.05)


def _start(
    group_id: str, token: str | None, tls: bool, replica_of: CacheServer | None = None, rdb: bytes | None = None
) -> CacheServer:
    """A redis-server for the group, loaded with ``rdb`` (an RDB file) when given."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix=f"emulator-redis-{group_id}-"))
    if rdb is not None:
        (directory / DUMP_FILE).write_bytes(rdb)
    port = databases._free_port()
    args = ["redis-server", "--bind", "127.0.0.1", "--dir", str(directory)]
    if tls:
        files = tls_files()
        args += ["--port", "0", "--tls-port", str(port), "--tls-replication", "yes", "--tls-auth-clients", "no"]
        args += [
            "--tls-cert-file",
            str(files.cert),
            "--tls-key-file",
            str(files.key),
            "--tls-ca-cert-file",
            str(files.ca),
        ]
    else:
        args += ["--port", str(port)]
    args += ["--save", "", "--appendonly", "no", "--logfile", str(directory / "log"), "--daemonize", "no"]
    args += ["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1"]
    if token:
        args += ["--requirepass", token, "--masterauth", token]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    server = CacheServer(group_id, port, token, directory, process, tls)
    _wait_ready(server)
    if replica_of is not None:
        _follow(server, replica_of)
    return server


def _follow(server: CacheServer, primary: CacheServer) -> None:
    """Make ``server`` a replica of ``primary`` through a relay that holds the stream back by the lag."""
    if server.relay is not None:
        server.relay.close()
    server.relay = databases.Relay(primary.port, server.group_id)  # its lag: replication_lag_ms of the group's ID
    command(server.port, "REPLICAOF", "127.0.0.1", str(server.relay.port), password=server.token, ca=_ca(server))


def _stop(server: CacheServer) -> None:
    if server.relay is not None:
        server.relay.close()
    server.process.terminate()
    try:
        server.process.wait(5)
    except subprocess.TimeoutExpired:
        server.process.kill()
    shutil.rmtree(server.directory, ignore_errors=True)


def dump(server: CacheServer) -> bytes:
    """The server's data now: ``SAVE`` writes its RDB file, whose bytes are returned."""
    command(server.port, "SAVE", password=server.token, ca=_ca(server))
    return (server.directory / DUMP_FILE).read_bytes()


def server_of(account: str, region: str, group_id: str) -> CacheServer | None:
    """The real server of a replication group, if it has one."""
    return SERVERS.get(_arn(account, region, group_id))


def stop_all() -> None:
    while SERVERS:
        _stop(SERVERS.popitem()[1])


def _show_endpoint(group: ReplicationGroup, server: CacheServer) -> None:
    """The API reports the real server: 127.0.0.1 and its port, for the primary and reader endpoints."""
    group.port = server.port
    for node_group in group.node_groups:
        node_group.update(primary_endpoint_address="127.0.0.1", reader_endpoint_address="127.0.0.1", port=server.port)
        for endpoint in ("primary_endpoint", "reader_endpoint"):
            if endpoint in node_group:
                node_group[endpoint] = {"address": "127.0.0.1", "port": server.port}


# --- the ElastiCache backend ----------------------------------------------------------------------

_original: dict = {}


def _create_replication_group(self: ElastiCacheBackend, *args, **kwargs) -> ReplicationGroup:
    group = _original["create_replication_group"](self, *args, **kwargs)
    if not enabled() or (group.engine or "redis") not in ("redis", "valkey"):
        return group
    primary = None
    if getattr(group, "global_replication_group_member_role", None) == "SECONDARY":
        found = global_datastore.find(self.account_id, group.global_replication_group_id)
        member = next(m for m in found["Members"] if m["Role"] == "PRIMARY")
        primary = SERVERS.get(_arn(self.account_id, member["ReplicationGroupRegion"], member["ReplicationGroupId"]))
    token = primary.token if primary else kwargs.get("auth_token")
    tls = primary.tls if primary else bool(group.transit_encryption_enabled)
    rdb = None if primary else next((d for d in (seed(self, group) for seed in SEEDS) if d is not None), None)
    server = _start(group.replication_group_id, token, tls, replica_of=primary, rdb=rdb)
    SERVERS[group.arn] = server
    _show_endpoint(group, server)
    return group


def _delete_replication_group(self: ElastiCacheBackend, replication_group_id: str, *args, **kwargs):
    group = _original["delete_replication_group"](self, replication_group_id, *args, **kwargs)
    server = SERVERS.pop(_arn(self.account_id, self.region_name, replication_group_id), None)
    if server is not None:
        _stop(server)
    return group


def _arn(account: str, region: str, group_id: str) -> str:
    return f"arn:aws:elasticache:{region}:{account}:replicationgroup:{group_id}"


def switch_writer(account: str, global_id: str, old: dict, new: dict) -> None:
    """A completed FailoverGlobalReplicationGroup: the secondary is promoted with what it had received."""
    old_server = SERVERS.get(_arn(account, old["ReplicationGroupRegion"], old["ReplicationGroupId"]))
    new_server = SERVERS.get(_arn(account, new["ReplicationGroupRegion"], new["ReplicationGroupId"]))
    if old_server is None or new_server is None:
        return
    if new_server.relay is not None:
        new_server.relay.close()  # what was still on its way across regions never arrives
        new_server.relay = None
    command(new_server.port, "REPLICAOF", "NO", "ONE", password=new_server.token, ca=_ca(new_server))
    _follow(old_server, new_server)


def install() -> None:
    for name, wrapper in (
        ("create_replication_group", _create_replication_group),
        ("delete_replication_group", _delete_replication_group),
    ):
        _original[name] = getattr(ElastiCacheBackend, name)
        setattr(ElastiCacheBackend, name, wrapper)
    global_datastore.WRITER_CHANGED.append(switch_writer)
    control.SETTINGS.setdefault(
        SETTING, '"redis": Redis replication groups created afterwards get a real local redis-server'
    )
    control.RESET_HOOKS.append(stop_all)
    atexit.register(stop_all)
