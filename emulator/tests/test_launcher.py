"""`make emulator` / `make emulator-stop`: start on free ports, reuse, stop exactly what was started."""

from __future__ import annotations

import os
import subprocess
import sys

from emulator import launcher


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return launcher._ours(pid, "emulator")


def test_start_reuse_and_stop(tmp_path):
    state = tmp_path / "emu"
    first = launcher.start(state)
    try:
        pids = [entry["pid"] for entry in launcher._load(state).values()]
        assert all(_alive(pid) for pid in pids)
        env = dict(line.removeprefix("export ").split("=", 1) for line in first.env_file.read_text().splitlines())
        assert env["AWS_ENDPOINT_URL"] == first.aws_url and first.aws_url.startswith("http://127.0.0.1:")
        assert env["KUBECONFIG"] == str(first.kubeconfig) and first.kubeconfig.exists()
        again = launcher.start(state)  # a second start reuses the running pair
        assert (again.aws_url, again.k8s_url) == (first.aws_url, first.k8s_url)
        assert [entry["pid"] for entry in launcher._load(state).values()] == pids
    finally:
        stopped = launcher.stop(state)
    assert sorted(stopped) == sorted(pids)
    assert not any(_alive(pid) for pid in pids)
    assert not (state / "env").exists()
    assert launcher.running(state) is None


def test_stop_ignores_a_pid_that_is_not_ours(tmp_path):
    """A recycled pid that belongs to another program is never signalled."""
    state = tmp_path / "emu"
    state.mkdir()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (state / "pids.json").write_text(f'{{"aws": {{"pid": {other.pid}, "url": "http://127.0.0.1:1"}}}}')
        assert launcher.stop(state) == []
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_cli_status_reports_not_running(tmp_path):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "emulator.launcher", "status", "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=launcher.REPO,
        check=False,
    )
    assert result.returncode == 1 and "not running" in result.stdout
