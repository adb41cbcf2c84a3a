"""execution-environment.yml pins what the tests run: the same versions as constraints-dev.txt, every library the
collection's requirements.txt asks for, and the collection installed from its built artifact (`make ee` builds it)."""

from __future__ import annotations

import pathlib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = pathlib.Path(__file__).resolve().parents[2]
EE = yaml.safe_load((REPO / "execution-environment.yml").read_text())


def _requirements(path: pathlib.Path) -> dict[str, Requirement]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    parsed = (Requirement(line) for line in lines if line and not line.startswith("-"))
    return {canonicalize_name(r.name): r for r in parsed}


def _pin(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", requirement
    return specifier.version


def _ee_python() -> dict[str, Requirement]:
    extra = [
        EE["dependencies"]["ansible_core"]["package_pip"],
        EE["dependencies"]["ansible_runner"]["package_pip"],
        *EE["dependencies"]["python"],
    ]
    return {canonicalize_name(r.name): r for r in map(Requirement, extra)}


def test_every_python_pin_of_the_ee_is_the_version_the_tests_run():
    tested = {name: _pin(r) for name, r in _requirements(REPO / "constraints-dev.txt").items()}
    pins = {name: _pin(r) for name, r in _ee_python().items() if name != "ansible-runner"}  # no test runs it
    assert pins == {name: tested[name] for name in pins}


def test_every_library_the_collection_requires_is_pinned_in_the_ee_within_its_range():
    pins = _ee_python()
    for name, wanted in _requirements(REPO / "requirements.txt").items():
        assert name in pins, f"{name} of requirements.txt is not pinned in execution-environment.yml"
        assert wanted.specifier.contains(_pin(pins[name])), (wanted, pins[name])
        assert wanted.extras <= pins[name].extras, (wanted, pins[name])


def test_the_collection_comes_from_its_built_artifact_and_its_dependencies_from_the_ansible_package():
    (collection,) = EE["dependencies"]["galaxy"]["collections"]
    (artifact,) = EE["additional_build_files"]
    assert collection == {"name": f"{artifact['dest']}/{pathlib.Path(artifact['src']).name}", "type": "file"}
    assert (REPO / "ee/build.sh").read_text().count(artifact["src"]) == 1  # where make ee puts the artifact
    # --no-deps: galaxy.yml's dependencies are not fetched from Galaxy; the pinned `ansible` package carries them
    assert EE["build_arg_defaults"]["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"] == "--no-deps"
    assert "ansible" in _ee_python()
