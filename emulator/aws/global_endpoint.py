"""The writer endpoint of an Aurora global database, in front of the real PostgreSQL servers (databases.py).

AWS (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html):
"Each Aurora Global Database comes with a writer endpoint that is automatically updated by Aurora to route
requests to the current writer instance of the primary DB cluster. With the writer endpoint, you don't have to
modify your connection string after you change the location of the primary Region" by switchover or failover.
``DescribeGlobalClusters`` returns it as ``Endpoint`` ("always points to the writer DB instance in the current
primary cluster", RDS API reference, GlobalCluster); CloudFormation as the ``GlobalEndpoint`` attribute
(``{"Address": ...}``) of ``AWS::RDS::GlobalCluster``. While the writer moves "your database is unavailable for
a short time" (API_SwitchoverGlobalCluster), and a connection to an instance whose role changes is dropped
("If a failover occurs ... your connection is dropped", AWS::RDS::DBCluster ReadEndpoint): clients reconnect.

With real databases on, every global database gets its own loopback address (127.x.y.z, never 127.0.0.1, so
it is no cluster's endpoint) as its writer endpoint, listening on the port of each member cluster; each new
connection is relayed to the server of the cluster that is the writer now. When a switchover or failover
completes, the open connections are closed and new ones are refused until the new writer is promoted; then
they reach it. Without real databases the endpoint is moto's DNS name.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from typing import Any

from moto.rds.models import GlobalCluster, RDSBackend

from emulator.aws import control, databases, global_failover

_original_endpoint = GlobalCluster.endpoint


class WriterEndpoint:
    """A listener per member port on the global database's own address; connections relayed to the writer."""

    def __init__(self, gc: GlobalCluster, address: str):
        self.gc = gc
        self.address = address
        self.listeners: dict[int, socket.socket] = {}
        self.open: set[socket.socket] = set()
        self.moving = False  # a switch is under way: the database is unavailable
        self.writer_arn: str | None = None  # set when a switch completes, before moto flips IsWriter
        self.lock = threading.Lock()

    def listen(self, port: int) -> None:
        if port in self.listeners:
            return
        listener = socket.create_server((self.address, port))
        self.listeners[port] = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop_listening(self, port: int) -> None:
        listener = self.listeners.pop(port, None)
        if listener:
            listener.close()

    def _writer_server(self) -> databases.Server | None:
        arn = self.writer_arn or next((m.db_cluster_arn for m in self.gc.members if m.is_writer), None)
        return databases.SERVERS.get(arn) if arn else None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # closed
            server = None if self.moving else self._writer_server()
            try:
                upstream = socket.create_connection(("127.0.0.1", server.port), timeout=5) if server else None
            except OSError:
                upstream = None
            if upstream is None:
                client.close()  # no writer to reach right now: the client sees the connection closed
                continue
            upstream.settimeout(None)
            with self.lock:
                self.open.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        for sock in (source, target):
            self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self.lock:
            self.open.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def drop_connections(self) -> None:
        with self.lock:
            sockets = list(self.open)
        for sock in sockets:
            self._close(sock)

    def close(self) -> None:
        for port in list(self.listeners):
            self.stop_listening(port)
        self.drop_connections()


ENDPOINTS: dict[int, WriterEndpoint] = {}  # id(GlobalCluster) -> its writer endpoint
_SYNC = threading.Lock()


def address_of(gc: GlobalCluster) -> str:
    """A loopback address of the global database's own, stable for its life (from its resource id)."""
    digest = hashlib.sha256(gc.global_cluster_resource_id.encode()).digest()
    return f"127.{1 + digest[0] % 254}.{digest[1]}.{1 + digest[2] % 254}"


def _endpoint(gc: GlobalCluster) -> str:
    # Decided once per global database: the name of an endpoint does not change under its clients.
    if "_emu_real" not in gc.__dict__:
        gc.__dict__["_emu_real"] = databases.enabled()
    if not gc.__dict__["_emu_real"]:
        return _original_endpoint.fget(gc)
    sync(gc)  # a member created from a source cluster has a port to listen on before anyone connects
    return address_of(gc)


def sync(gc: GlobalCluster) -> WriterEndpoint:
    """Listen on the port of every member that has a server; stop listening on the ports of members gone."""
    with _SYNC:  # not databases.LOCK: a describe must not wait for a switch to finish
        endpoint = ENDPOINTS.get(id(gc))
        if endpoint is None:
            endpoint = ENDPOINTS[id(gc)] = WriterEndpoint(gc, address_of(gc))
        ports = {databases.SERVERS[m.db_cluster_arn].port for m in gc.members if m.db_cluster_arn in databases.SERVERS}
        for port in ports:
            endpoint.listen(port)
        for port in set(endpoint.listeners) - ports:
            endpoint.stop_listening(port)
        return endpoint


def _of_member(cluster_arn: str) -> list[WriterEndpoint]:
    return [e for e in ENDPOINTS.values() if any(m.db_cluster_arn == cluster_arn for m in e.gc.members)]


def _writer_moving(from_arn: str, to_arn: str, data_loss: bool, at: float) -> None:
    """Before databases.py moves the writer: the open connections drop, new ones are refused."""
    for endpoint in _of_member(from_arn):
        endpoint.moving = True
        endpoint.drop_connections()


def _writer_moved(from_arn: str, to_arn: str, data_loss: bool, at: float) -> None:
    """After the new writer is promoted: new connections reach it."""
    for endpoint in _of_member(to_arn):
        endpoint.writer_arn = to_arn
        endpoint.drop_connections()  # any that reached the old writer while it was being stopped
        endpoint.moving = False


_WRAPPED: dict[str, Any] = {}  # the RDSBackend methods these wrap, as installed before (databases.py's)


def _create_db_cluster(self: RDSBackend, kwargs: dict[str, Any]):
    cluster = _WRAPPED["create_db_cluster"](self, kwargs)
    if databases.enabled():
        for gc in global_failover.global_clusters(self.account_id).values():
            if cluster in gc.members:
                sync(gc)  # a secondary joined: its port leads to the writer too
    return cluster


def _delete_db_cluster(self: RDSBackend, cluster_identifier: str, snapshot_name: str | None = None):
    cluster = _WRAPPED["delete_db_cluster"](self, cluster_identifier, snapshot_name)
    for endpoint in list(ENDPOINTS.values()):
        sync(endpoint.gc)
    return cluster


def _delete_global_cluster(self: RDSBackend, global_cluster_identifier: str):
    gc = _WRAPPED["delete_global_cluster"](self, global_cluster_identifier)
    endpoint = ENDPOINTS.pop(id(gc), None)
    if endpoint:
        endpoint.close()
    return gc


def remove_all() -> None:
    for key in list(ENDPOINTS):
        ENDPOINTS.pop(key).close()


def install() -> None:
    """After databases.install(): these wrap its cluster hooks, and frame its writer switch."""
    GlobalCluster.endpoint = property(_endpoint)
    for name, wrapper in (
        ("create_db_cluster", _create_db_cluster),
        ("delete_db_cluster", _delete_db_cluster),
        ("delete_global_cluster", _delete_global_cluster),
    ):
        _WRAPPED[name] = getattr(RDSBackend, name)
        setattr(RDSBackend, name, wrapper)
    global_failover.WRITER_CHANGED.insert(0, _writer_moving)
    global_failover.WRITER_CHANGED.append(_writer_moved)
    control.RESET_HOOKS.append(remove_all)
