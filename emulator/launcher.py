"""Start, reuse and stop the local emulators; write the env file and kubeconfig that use them.

``python -m emulator.launcher start|stop|status|reset [--state-dir DIR]``

``start`` is idempotent: a running, healthy pair is reused. ``stop`` stops exactly the
processes this launcher started (their pids and command lines are recorded in the state dir).
The pytest fixtures in ``emulator/pytest_plugin.py`` use the same functions.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from emulator import tls

REPO = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_STATE_DIR = REPO / ".emulator"
DEFAULT_REGION = "us-west-2"
# Dummy credentials: the emulator accepts any; botocore refuses to sign without some.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
SERVERS = {"aws": "emulator.aws.server", "k8s": "emulator.k8s"}


@dataclass
class Emulator:
    state_dir: pathlib.Path
    aws_url: str
    k8s_url: str

    @property
    def env_file(self) -> pathlib.Path:
        return self.state_dir / "env"

    @property
    def kubeconfig(self) -> pathlib.Path:
        return self.state_dir / "kubeconfig"

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.aws_url,
            **CREDENTIALS,
            "AWS_DEFAULT_REGION": DEFAULT_REGION,
            "AWS_REGION": DEFAULT_REGION,
            "KUBECONFIG": str(self.kubeconfig),
            "K8S_AUTH_KUBECONFIG": str(self.kubeconfig),
            # The SDK's app id in every request's User-Agent: the emulator's record of the actions the collection
            # calls (GET /_emulator/actions) tells a playbook run's calls from a test's own.
            "AWS_SDK_UA_APP_ID": "ansible",
            # Clients trust the emulator's CA beside the machine's (its TLS endpoints: Redis with transit encryption).
            "SSL_CERT_FILE": str(tls.files(self.tls_dir).bundle),
        }

    @property
    def tls_dir(self) -> pathlib.Path:
        return self.state_dir / "tls"

    def post(self, which: str, path: str, payload: object | None = None, method: str = "POST") -> object:
        base = self.aws_url if which == "aws" else self.k8s_url
        data = json.dumps(payload).encode() if payload is not None else b""
        request = urllib.request.Request(  # noqa: S310 - our own loopback emulator
            base + path,
            data=data if method != "GET" else None,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        # a reset stops every real database and cache server: longer than a request, on a loaded machine
        timeout = 120 if path.endswith("/reset") else 10
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our own loopback emulator
            return json.loads(response.read() or b"null")

    def client(self, service: str, region: str = "", **config):
        """A boto3 client of this emulator (botocore's default retries unless ``config`` says otherwise)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            region_name=region or DEFAULT_REGION,
            endpoint_url=self.aws_url,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            config=Config(**config) if config else None,
        )

    def reset(self) -> None:
        self.post("aws", "/_emulator/reset")
        self.post("k8s", "/_emulator/reset")

    def requests(self) -> dict:
        return self.post("aws", "/_emulator/requests", method="GET")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_emulator/health", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _pids_file(state_dir: pathlib.Path) -> pathlib.Path:
    return state_dir / "pids.json"


def _cmdline(pid: int) -> str:
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _ours(pid: int, module: str) -> bool:
    return module in _cmdline(pid)


def _load(state_dir: pathlib.Path) -> dict:
    try:
        return json.loads(_pids_file(state_dir).read_text())
    except (OSError, ValueError):
        return {}


def running(state_dir: pathlib.Path = DEFAULT_STATE_DIR) -> Emulator | None:
    record = _load(state_dir)
    if not record:
        return None
    if not all(_ours(record[name]["pid"], SERVERS[name]) for name in SERVERS if name in record):
        return None
    emulator = Emulator(state_dir, record["aws"]["url"], record["k8s"]["url"])
    if _healthy(emulator.aws_url) and _healthy(emulator.k8s_url):
        return emulator
    return None


def _spawn(name: str, state_dir: pathlib.Path) -> tuple[int, str]:
    port_file = state_dir / f"{name}.port"
    port_file.unlink(missing_ok=True)
    log = (state_dir / f"{name}.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", SERVERS[name], "--port-file", str(port_file)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} emulator exited with {process.returncode}; see {state_dir / (name + '.log')}")
        if port_file.exists():
            url = f"http://127.0.0.1:{port_file.read_text().strip()}"
            if _healthy(url):
                return process.pid, url
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{name} emulator did not start within 60 s")


def _write_kubeconfig(emulator: Emulator) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "emulator",
        "preferences": {},
        "clusters": [{"name": "emulator", "cluster": {"server": emulator.k8s_url}}],
        "users": [{"name": "emulator", "user": {"token": "emulator"}}],
        "contexts": [
            {"name": "emulator", "context": {"cluster": "emulator", "user": "emulator", "namespace": "default"}}
        ],
    }
    emulator.kubeconfig.write_text(json.dumps(config, indent=2))


def start(state_dir: pathlib.Path = DEFAULT_STATE_DIR) -> Emulator:
    existing = running(state_dir)
    if existing:
        return existing
    stop(state_dir)  # leftovers of a crashed run
    state_dir.mkdir(parents=True, exist_ok=True)
    tls.ensure(state_dir / "tls")  # before the servers: the AWS emulator's Redis servers use its certificate
    record = {}
    try:
        for name in SERVERS:
            pid, url = _spawn(name, state_dir)
            record[name] = {"pid": pid, "url": url}
            _pids_file(state_dir).write_text(json.dumps(record))
    except Exception:
        stop(state_dir)
        raise
    emulator = Emulator(state_dir, record["aws"]["url"], record["k8s"]["url"])
    _write_kubeconfig(emulator)
    emulator.env_file.write_text("".join(f"export {k}={v}\n" for k, v in emulator.env().items()))
    return emulator


def stop_postgres(state_dir: pathlib.Path) -> None:
    """Stop and remove the PostgreSQL servers the AWS emulator started (aws/databases.py lists them)."""
    listing = state_dir / "postgres-servers"
    if not listing.exists():
        return
    for line in listing.read_text().split():
        data = pathlib.Path(line) / "data"
        if (data / "postmaster.pid").exists():
            command = [str(next(pathlib.Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))), "-D", str(data)]
            if os.geteuid() == 0:
                command = ["runuser", "-u", "postgres", "--", *command]
            subprocess.run([*command, "-m", "immediate", "-w", "stop"], capture_output=True, check=False)  # noqa: S603
        shutil.rmtree(line, ignore_errors=True)
    listing.unlink()


def stop(state_dir: pathlib.Path = DEFAULT_STATE_DIR) -> list[int]:
    stopped = []
    for name, entry in _load(state_dir).items():
        pid = entry["pid"]
        if not _ours(pid, SERVERS[name]):
            continue  # gone, or the pid now belongs to somebody else
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _ours(pid, SERVERS[name]) and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        if _ours(pid, SERVERS[name]):
            os.kill(pid, signal.SIGKILL)
        stopped.append(pid)
    stop_postgres(state_dir)  # also when the emulator died before stopping them
    for leftover in ("pids.json", "env", "kubeconfig", "aws.port", "k8s.port"):
        (state_dir / leftover).unlink(missing_ok=True)
    return stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status", "reset"])
    parser.add_argument("--state-dir", type=pathlib.Path, default=DEFAULT_STATE_DIR)
    args = parser.parse_args()
    if args.command == "start":
        emulator = start(args.state_dir)
        print(
            f"AWS emulator:        {emulator.aws_url}\nKubernetes emulator: {emulator.k8s_url}\n"
            f"Environment:         source {emulator.env_file}"
        )
    elif args.command == "stop":
        stopped = stop(args.state_dir)
        print(f"stopped {len(stopped)} emulator process(es)" if stopped else "no emulator was running")
    elif args.command == "reset":
        emulator = running(args.state_dir)
        if emulator is None:
            sys.exit("no emulator is running")
        emulator.reset()
        print("emulator state reset")
    else:
        emulator = running(args.state_dir)
        print(f"running: AWS {emulator.aws_url}, Kubernetes {emulator.k8s_url}" if emulator else "not running")
        sys.exit(0 if emulator else 1)


if __name__ == "__main__":
    main()
