"""Real PostgreSQL servers behind emulated Aurora clusters (setting ``databases: postgresql``).

With the setting on, each Aurora PostgreSQL cluster created afterwards gets a local PostgreSQL
server (Debian's postgresql binaries), and the RDS API reports it as the cluster's endpoint:
``Endpoint``/``ReaderEndpoint`` ``127.0.0.1``, ``Port`` the server's port, the master user and
password and the initial database as the cluster was created with. So drills connect, write and
read for real:

- A secondary cluster of a global database is a streaming hot standby of the primary's server
  (``pg_basebackup -R``), fed through a relay that holds the WAL stream back by the injected
  replication lag (setting ``replication_lag_ms``): asynchronous cross-region replication.
- Switchover: the primary is shut down cleanly (it waits until the standby has all its WAL), the
  standby catches up and is promoted, the old primary restarts as a standby of the new one.
  Nothing is lost.
- Failover (``AllowDataLoss``): the primary's region is gone: the relay drops what it still holds
  and the primary stops at once; the standby is promoted with what it had received. The commits
  of the last ``lag`` seconds are lost, as on Aurora. The old primary is rebuilt as a standby.
- A cluster snapshot (manual, automated or AWS Backup's) of such a cluster holds its data: a base
  backup (``pg_basebackup``) taken when the snapshot is made. A copy shares it. Restoring the
  snapshot (``RestoreDBClusterFromSnapshot``, or an AWS Backup restore job) starts a new server from
  that copy, so the restored cluster holds exactly what the source held at the snapshot's time. A
  snapshot taken before the cluster had a server (moto's automated one at creation) restores as the
  empty database the cluster was created with.
- The writer endpoint of a global database leads to the current writer's server (global_endpoint.py).
- Deleting the cluster stops its server and removes its data; a reset stops every server and
  removes every snapshot's data.

Servers run as the ``postgres`` system user when the emulator runs as root (PostgreSQL refuses
root), each in its own directory with its own socket, listening on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

from moto.rds.models import DBCluster, DBClusterSnapshot, RDSBackend

from emulator.aws import control, global_failover
from emulator.aws.control import STATE

BIN_DIRS = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
LOCK = threading.RLock()


@dataclass
class Server:
    cluster_arn: str
    directory: pathlib.Path
    port: int
    user: str
    database: str
    password: str = ""  # the master password the cluster was created with (a restore of an empty snapshot needs it)

    @property
    def data(self) -> pathlib.Path:
        return self.directory / "data"

    def conninfo(self, database: str | None = None) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={database or self.database}"


SERVERS: dict[str, Server] = {}


class Relay:
    """TCP relay from a standby to its primary; the primary's bytes reach the standby ``lag`` later."""

    def __init__(self, upstream_port: int, cluster_id: str):
        self.upstream_port = upstream_port
        self.cluster_id = cluster_id
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.queues: list[list] = []  # what each delayed direction still holds back
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                downstream, _address = self.listener.accept()
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                return
            self.sockets += [downstream, upstream]
            threading.Thread(target=self._pump, args=(downstream, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, downstream, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, delayed: bool) -> None:
        pending: list[tuple[float, bytes]] = []
        if delayed:
            self.queues.append(pending)
        condition = threading.Condition()

        def send_when_due() -> None:
            while not self.closed:
                with condition:
                    while not pending and not self.closed:
                        condition.wait(0.2)
                    if self.closed:
                        return
                    due, chunk = pending[0]
                wait = due - time.time()
                if wait > 0:
                    time.sleep(min(wait, 0.05))
                    continue
                with condition:
                    pending.pop(0)
                try:
                    target.sendall(chunk)
                except OSError:
                    return

        if delayed:
            threading.Thread(target=send_when_due, daemon=True).start()
        while not self.closed:
            try:
                chunk = source.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            if delayed:
                with condition:
                    pending.append((time.time() + _delay_ms(self.cluster_id) / 1000.0, chunk))
                    condition.notify()
            else:
                try:
                    target.sendall(chunk)
                except OSError:
                    break
        if not delayed:
            return
        # The primary closed: what is still held back is delivered in order (a clean shutdown).
        while pending and not self.closed:
            time.sleep(0.05)
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def drain(self, timeout: float = 120) -> None:
        """Wait until everything held back has reached the standby (a clean switchover loses nothing)."""
        deadline = time.time() + timeout
        while any(self.queues) and time.time() < deadline and not self.closed:
            time.sleep(0.05)

    def close(self) -> None:
        """The primary's region is gone: whatever is held back never arrives."""
        self.closed = True
        for sock in [self.listener, *self.sockets]:
            try:
                sock.close()
            except OSError:
                pass


RELAYS: dict[str, Relay] = {}  # standby cluster ARN -> its relay


def enabled() -> bool:
    return STATE.settings.get("databases") == "postgresql"


def available() -> bool:
    return bool(BIN_DIRS)


def _bin(name: str) -> str:
    return str(BIN_DIRS[0] / name)


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120, **kwargs)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-1500:]}")
    return done


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _new_directory(name: str) -> pathlib.Path:
    directory = pathlib.Path(tempfile.mkdtemp(prefix=f"emulator-pg-{name}-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    # The launcher stops what this list names, even when this process dies without cleaning up.
    registry = os.environ.get("EMULATOR_STATE_DIR")
    if registry:
        with (pathlib.Path(registry) / "postgres-servers").open("a") as listing:
            listing.write(f"{directory}\n")
    return directory


def _settings(server: Server, extra: str = "") -> None:
    with (server.data / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            f"listen_addresses = '127.0.0.1'\nport = {server.port}\nunix_socket_directories = '{server.directory}'\n"
            "wal_level = replica\nmax_wal_senders = 10\nhot_standby = on\nfsync = off\n"
            "full_page_writes = on\nwal_keep_size = '256MB'\nwal_retrieve_retry_interval = '500ms'\n" + extra
        )


def _start(server: Server) -> None:
    log = server.directory / "log"
    try:
        _as_postgres([_bin("pg_ctl"), "-D", str(server.data), "-l", str(log), "-w", "start"])
    except RuntimeError as error:
        time.sleep(0.5)  # the postmaster's last words reach the log after pg_ctl gives up
        raise RuntimeError(f"{error}\n{log.read_text()[-1500:] if log.exists() else ''}") from None


def _stop(server: Server, mode: str = "fast") -> None:
    if (server.data / "postmaster.pid").exists():
        _as_postgres([_bin("pg_ctl"), "-D", str(server.data), "-m", mode, "-w", "stop"])


def _sql(server: Server, statement: str, database: str = "postgres"):
    import psycopg

    with psycopg.connect(f"host={server.directory} port={server.port} user={server.user} dbname={database}") as conn:
        conn.autocommit = True
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else None


def _delay_ms(cluster_id: str) -> int:
    from emulator.aws.service_metrics import lag_ms

    return int(lag_ms(cluster_id))


def provision_primary(cluster: DBCluster, password: str) -> Server:
    directory = _new_directory(cluster.db_cluster_identifier)
    server = Server(
        cluster.db_cluster_arn,
        directory,
        _free_port(),
        cluster.master_username or "postgres",
        cluster.database_name or "postgres",
    )
    pwfile = directory / "pw"
    pwfile.write_text(password)
    if os.geteuid() == 0:
        shutil.chown(pwfile, "postgres", "postgres")
    _as_postgres(
        [
            _bin("initdb"),
            "-D",
            str(server.data),
            "-U",
            server.user,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        ]
    )
    pwfile.unlink()
    server.password = password
    # The emulator's own replication between its servers needs no password.
    hba = server.data / "pg_hba.conf"
    hba.write_text("host replication all 127.0.0.1/32 trust\n" + hba.read_text())  # first match wins
    _settings(server)
    _start(server)
    if server.database != "postgres":
        _sql(server, f'CREATE DATABASE "{server.database}"')
    return server


def _replicate_from(server: Server, primary: Server) -> None:
    """Point a standby at its primary through a relay that carries the replication lag."""
    relay = RELAYS.pop(server.cluster_arn, None)
    if relay:
        relay.close()
    relay = RELAYS[server.cluster_arn] = Relay(primary.port, server.cluster_arn.split(":")[-1])
    (server.data / "standby.signal").touch()
    if os.geteuid() == 0:
        shutil.chown(server.data / "standby.signal", "postgres", "postgres")
    with (server.data / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"primary_conninfo = 'host=127.0.0.1 port={relay.port} user={primary.user}'\n")


def _base_backup(server: Server, primary: Server) -> None:
    _as_postgres(
        [
            _bin("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            primary.user,
            "-D",
            str(server.data),
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        ]
    )
    _settings(server)
    _replicate_from(server, primary)


def snapshot_data(server: Server) -> pathlib.Path:
    """A consistent copy of a server's data as of now: what a cluster snapshot holds."""
    directory = _new_directory("snapshot")
    _as_postgres(
        [
            _bin("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(server.port),
            "-U",
            server.user,
            "-D",
            str(directory / "data"),
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        ]
    )
    SNAPSHOT_DIRS.add(directory)
    return directory


def provision_from_snapshot(cluster: DBCluster, data: pathlib.Path, user: str, database: str) -> Server:
    """A new server started from a snapshot's data: the restored cluster."""
    directory = _new_directory(cluster.db_cluster_identifier)
    server = Server(cluster.db_cluster_arn, directory, _free_port(), user, database)
    _as_postgres(["cp", "-a", str(data / "data"), str(server.data)])
    for leftover in ("standby.signal", "postmaster.pid"):
        (server.data / leftover).unlink(missing_ok=True)
    _settings(server)
    _start(server)
    return server


def provision_standby(cluster: DBCluster, primary: Server) -> Server:
    directory = _new_directory(cluster.db_cluster_identifier)
    server = Server(cluster.db_cluster_arn, directory, _free_port(), primary.user, primary.database, primary.password)
    _base_backup(server, primary)
    _start(server)
    return server


def _wait_caught_up(server: Server, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        received, replayed = _sql(server, "SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()")[0]
        if received is None or received == replayed:
            return
        time.sleep(0.05)


def _wait_received(server: Server, lsn: str, timeout: float) -> None:
    """Wait until a standby has received the primary's WAL up to ``lsn`` (it may still be reconnecting)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _sql(server, f"SELECT coalesce(pg_last_wal_receive_lsn() >= '{lsn}'::pg_lsn, false)")[0][0]:
            return
        time.sleep(0.05)


def _rebuild(server: Server, primary: Server) -> None:
    """A former primary that stopped abruptly: a fresh copy of the new primary (what Aurora does)."""
    _stop(server, "immediate")
    shutil.rmtree(server.data)
    _base_backup(server, primary)
    _start(server)


def switch_writer(from_arn: str, to_arn: str, data_loss: bool, at: float) -> None:
    """Called by global_failover when a switchover or failover completes."""
    with LOCK:
        old, new = SERVERS.get(from_arn), SERVERS.get(to_arn)
        if not old or not new:
            return
        relay = RELAYS.pop(to_arn, None)
        if data_loss and relay:
            relay.close()  # the primary's region is gone, and with it what was in flight
        if not data_loss:  # as Aurora: the secondary has every committed write before the writer moves
            position = _sql(old, "SELECT pg_current_wal_lsn()")[0][0]
            _wait_received(new, position, timeout=_delay_ms(new.cluster_arn.split(":")[-1]) / 1000 + 60)
        _stop(old, "immediate" if data_loss else "fast")  # fast: sends the standby what is left
        if not data_loss:
            if relay:
                relay.drain()  # the records the primary sent are still on their way through the lag
            _wait_caught_up(new)
        if relay:
            relay.close()
        _as_postgres([_bin("pg_ctl"), "-D", str(new.data), "-w", "promote"])
        if data_loss:
            _rebuild(old, new)
        else:
            _replicate_from(old, new)
            _start(old)


def remove(cluster_arn: str) -> None:
    with LOCK:
        relay = RELAYS.pop(cluster_arn, None)
        if relay:
            relay.close()
        server = SERVERS.pop(cluster_arn, None)
        if server:
            _stop(server, "immediate")
            shutil.rmtree(server.directory, ignore_errors=True)


SNAPSHOT_DIRS: set[pathlib.Path] = set()


def _forget_snapshot_data(directory: pathlib.Path | None, backends) -> None:
    """Remove a snapshot's data once no snapshot (a copy may share it) refers to it."""
    if directory is None or directory not in SNAPSHOT_DIRS:
        return
    for backend in backends:
        if any(getattr(s, "emu_data", None) == directory for s in backend.cluster_snapshots.values()):
            return
    SNAPSHOT_DIRS.discard(directory)
    shutil.rmtree(directory, ignore_errors=True)


def remove_all() -> None:
    for arn in list(SERVERS):
        remove(arn)
    for directory in list(SNAPSHOT_DIRS):
        SNAPSHOT_DIRS.discard(directory)
        shutil.rmtree(directory, ignore_errors=True)


# --- hooks into moto ------------------------------------------------------------------------------

_original_create = RDSBackend.create_db_cluster
_original_delete = RDSBackend.delete_db_cluster
_original_create_snapshot = RDSBackend.create_db_cluster_snapshot
_original_copy_snapshot = RDSBackend.copy_db_cluster_snapshot
_original_delete_snapshot = RDSBackend.delete_db_cluster_snapshot
_RESTORING = threading.local()  # the snapshot a create_db_cluster call restores
_original_endpoint = DBCluster.endpoint
_original_reader_endpoint = DBCluster.reader_endpoint


def _create_db_cluster(self: RDSBackend, kwargs):
    cluster = _original_create(self, kwargs)
    if enabled() and str(cluster.engine).startswith("aurora-postgresql"):
        with LOCK:
            primary = None
            if cluster.global_cluster_identifier and not cluster.is_writer:
                writer = next(
                    (
                        m
                        for gc in global_failover.global_clusters(self.account_id).values()
                        for m in gc.members
                        if cluster in gc.members and m.is_writer
                    ),
                    None,
                )
                primary = SERVERS.get(writer.db_cluster_arn) if writer else None
            restoring: DBClusterSnapshot | None = getattr(_RESTORING, "snapshot", None)
            if primary:
                server = provision_standby(cluster, primary)
            elif restoring is not None and getattr(restoring, "emu_data", None):
                source = restoring.cluster
                user, database = source.master_username or "postgres", source.database_name or "postgres"
                server = provision_from_snapshot(cluster, restoring.emu_data, user, database)
            else:
                server = provision_primary(cluster, kwargs.get("master_user_password") or "")
            SERVERS[cluster.db_cluster_arn] = server
            cluster.port = server.port
    return cluster


def _delete_db_cluster(self: RDSBackend, cluster_identifier: str, snapshot_name: str | None = None):
    cluster = _original_delete(self, cluster_identifier, snapshot_name)
    remove(cluster.db_cluster_arn)
    return cluster


def _create_db_cluster_snapshot(self: RDSBackend, db_cluster_identifier: str, *args, **kwargs):
    snapshot = _original_create_snapshot(self, db_cluster_identifier, *args, **kwargs)
    cluster = self.clusters.get(db_cluster_identifier)
    server = SERVERS.get(cluster.db_cluster_arn) if cluster else None
    if server:
        with LOCK:
            snapshot.emu_data = snapshot_data(server)
    return snapshot


def _copy_db_cluster_snapshot(self: RDSBackend, source: str, target: str, *args, **kwargs):
    copy = _original_copy_snapshot(self, source, target, *args, **kwargs)
    copy.emu_data = getattr(self.get_db_cluster_snapshot(source), "emu_data", None)
    return copy


def _delete_db_cluster_snapshot(self: RDSBackend, db_snapshot_identifier: str):
    snapshot = _original_delete_snapshot(self, db_snapshot_identifier)
    from moto.rds.models import rds_backends

    with LOCK:
        _forget_snapshot_data(getattr(snapshot, "emu_data", None), rds_backends[self.account_id].values())
    return snapshot


def restore_db_cluster_from_snapshot(self: RDSBackend, from_snapshot_id: str, overrides: dict) -> DBCluster:
    """As RDS: a new, independent cluster with the snapshot's settings and data, never a global member.

    moto copies the source cluster's live settings, its global database too; AWS restores a
    stand-alone regional cluster.
    """
    snapshot = self.get_db_cluster_snapshot(from_snapshot_id)  # by id or ARN, of any snapshot type
    source = snapshot.cluster
    # moto's get_cfg(), without its KeyError for a global member (moto keeps no password for those)
    props = {key.lstrip("_"): value for key, value in vars(source).items() if key != "backend"}
    known = SERVERS.get(source.db_cluster_arn)
    if not props.get("master_user_password"):
        props["master_user_password"] = known.password if known and known.password else "restored-cluster-password"
    props.update({key: value for key, value in overrides.items() if value})
    for standalone in ("global_cluster_identifier", "replication_source_identifier"):
        props[standalone] = overrides.get(standalone)
    for runtime in ("status", "members", "read_replica_identifiers", "is_writer"):
        props.pop(runtime, None)
    _RESTORING.snapshot = snapshot
    try:
        return self.create_db_cluster(props)
    finally:
        _RESTORING.snapshot = None


def _endpoint(self: DBCluster) -> str:
    return "127.0.0.1" if self.db_cluster_arn in SERVERS else _original_endpoint.fget(self)


def _reader_endpoint(self: DBCluster) -> str:
    return "127.0.0.1" if self.db_cluster_arn in SERVERS else _original_reader_endpoint.fget(self)


def install() -> None:
    RDSBackend.create_db_cluster = _create_db_cluster
    RDSBackend.delete_db_cluster = _delete_db_cluster
    RDSBackend.create_db_cluster_snapshot = _create_db_cluster_snapshot
    RDSBackend.copy_db_cluster_snapshot = _copy_db_cluster_snapshot
    RDSBackend.delete_db_cluster_snapshot = _delete_db_cluster_snapshot
    RDSBackend.restore_db_cluster_from_snapshot = restore_db_cluster_from_snapshot
    DBCluster.endpoint = property(_endpoint)
    DBCluster.reader_endpoint = property(_reader_endpoint)
    global_failover.WRITER_CHANGED.append(switch_writer)
    control.RESET_HOOKS.append(remove_all)
    from emulator.aws import global_endpoint  # it relays to these servers, and frames switch_writer

    global_endpoint.install()
