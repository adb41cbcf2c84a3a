"""The release: the built collection installs into an empty path and runs there by FQCN; its execution environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile

import pytest
import yaml

from tests.integration.ansible import REPO, playbook

BIN = os.path.dirname(sys.executable)
ROLES = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "meta/argument_specs.yml").exists())


def _run(*args: str, env: dict | None = None, cwd=REPO) -> subprocess.CompletedProcess:
    done = subprocess.run(  # noqa: S603 - our venv's tools
        [os.path.join(BIN, args[0]), *args[1:]],
        cwd=cwd,
        env={**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """`ansible-galaxy collection build`, then install of the artifact into an empty collections path."""
    out = tmp_path_factory.mktemp("release")
    _run("ansible-galaxy", "collection", "build", "--output-path", str(out))
    (artifact,) = out.glob("ai_model_registry-infra-*.tar.gz")
    path = out / "collections"
    install = ("ansible-galaxy", "collection", "install", str(artifact), "-p", str(path), "--no-deps", "--offline")
    _run(*install, env={"ANSIBLE_COLLECTIONS_PATH": str(path)})  # not the checkout that .build links
    return artifact, path


def test_the_artifact_holds_the_collection_and_nothing_of_the_workbench(installed):
    artifact, _path = installed
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
    tops = {name.split("/")[0] for name in names}
    assert not tops & {
        "tests",
        ".venv",
        ".venv-checkov",
        ".venv-docs",
        ".emulator",
        ".build",
        "bench",
        "tools",
        "extensions",
        ".ci",
    }
    assert not [n for n in names if "__pycache__" in n or n.endswith(".tar.gz")]
    for wanted in (
        "playbooks/site.yml",
        "playbooks/dr_drill.yml",
        "roles/aurora/files/aurora-cluster.yaml",
        "roles/dr/files/disaster-recovery.yaml",
        "plugins/modules/rds_global_cluster_failover.py",
        "meta/execution-environment.yml",
        "bindep.txt",
        "requirements.txt",
    ):
        assert wanted in names, wanted


def test_the_installed_collection_runs_a_playbook_by_fqcn_and_documents_every_role(aws, installed, inventory):
    _artifact, path = installed
    env = {"ANSIBLE_COLLECTIONS_PATH": str(path), "ANSIBLE_NOCOLOR": "1"}  # amazon.aws & co.: the ansible package
    target = inventory(registry_environment="production")
    refused = playbook(aws, "ai_model_registry.infra.dr_drill", "-i", str(target), "-v", check=False, env=env)
    assert refused.returncode != 0 and "-e dr_drill_confirm=registry-local" in refused.stdout
    assert str(path / "ansible_collections/ai_model_registry/infra/playbooks/dr_drill.yml") in refused.stdout
    assert aws.requests()["total"] == 0
    shown = _run("ansible-doc", "-t", "role", *(f"ai_model_registry.infra.{r}" for r in ROLES), env=env).stdout
    pages = {
        re.match(r"\W*ai_model_registry\.infra\.(\w+)", page).group(1): page for page in shown.split("> ROLE: ")[1:]
    }
    assert sorted(pages) == ROLES
    for role, page in pages.items():
        spec = yaml.safe_load((REPO / "roles" / role / "meta/argument_specs.yml").read_text())["argument_specs"]
        assert spec["main"]["short_description"][:40] in " ".join(page.split()), role
        assert all(option in page for option in spec["main"].get("options", {})), role


def test_the_execution_environment_context_and_the_collection_requirements_it_brings(installed, tmp_path):
    _artifact, path = installed
    _run("ansible-builder", "create", "-f", "execution-environment.yml", "-c", str(tmp_path / "context"))
    requirements = yaml.safe_load((tmp_path / "context/_build/requirements.yml").read_text())
    # this collection from its built artifact (make ee builds it; tests/unit/test_execution_environment.py)
    assert {"name": "collections/ai_model_registry-infra.tar.gz", "type": "file"} in requirements["collections"]
    assert any((tmp_path / "context" / name).exists() for name in ("Containerfile", "Dockerfile"))
    # what the image build will find in this collection (ansible-builder introspects the installed collections)
    found = yaml.safe_load(_run("ansible-builder", "introspect", str(path)).stdout)
    ours = "  # from collection ai_model_registry.infra"
    python = [line.removesuffix(ours) for line in found["python"] if line.endswith(ours)]
    system = [line.removesuffix(ours) for line in found["system"] if line.endswith(ours)]
    assert {"boto3>=1.34.0", "psycopg[binary]>=3.1", "kubernetes>=24.2.0"} <= set(python)
    assert "postgresql-client [platform:dpkg]" in system


def test_the_changelog_generates_from_the_fragments_and_names_every_module(tmp_path):
    """antsibull-changelog: the fragments are valid, and the release notes list every module."""
    copy = tmp_path / "collection"
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()  # noqa: S607
    for name in files + [str(p.relative_to(REPO)) for p in (REPO / "changelogs/fragments").glob("*.yml")]:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((REPO / name).read_bytes())
    env = {"ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build")}
    _run("antsibull-changelog", "lint", cwd=copy, env=env)
    # the next minor release after the last one released: its new modules carry that version_added
    released = yaml.safe_load((REPO / "changelogs/changelog.yaml").read_text())["releases"]
    major, minor, _patch = max(tuple(map(int, v.split("."))) for v in released)
    upcoming = f"{major}.{minor + 1}.0"
    release = ["antsibull-changelog", "release", "--version", upcoming, "--date", "2026-12-01", "--reload-plugins"]
    _run(*release, cwd=copy, env=env)
    notes = (copy / "CHANGELOG.rst").read_text()
    modules = sorted(p.stem for p in (REPO / "plugins/modules").glob("*.py"))
    assert all(f"ai_model_registry.infra.{module} - " in notes for module in modules), notes
