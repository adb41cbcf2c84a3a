"""Every awx.awx task of the collection, checked against that module's own argument spec.

The spec is the one the module builds in main() (captured where it constructs ControllerAPIModule),
so an unknown option, a missing required one, a wrong type or a value outside the choices fails
here, without a controller. A templated value stands for a value of the option's type.
"""

from __future__ import annotations

import importlib
import pathlib

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.awx.awx.plugins.module_utils import controller_api

REPO = pathlib.Path(__file__).resolve().parents[2]
PLACEHOLDERS = {"list": [], "dict": {}, "bool": True, "int": 1, "float": 1.0, "raw": "x", "str": "x", None: "x"}


class _Captured(Exception):
    def __init__(self, argument_spec: dict, options: dict):
        super().__init__("captured")
        self.argument_spec, self.options = argument_spec, options


def module_spec(name: str) -> tuple[dict, dict]:
    """(argument_spec with the auth options, the other AnsibleModule options) of awx.awx.<name>."""
    module = importlib.import_module(f"ansible_collections.awx.awx.plugins.modules.{name}")

    def capture(self, argument_spec=None, direct_params=None, **options):
        raise _Captured({**controller_api.ControllerModule.AUTH_ARGSPEC, **(argument_spec or {})}, options)

    original = controller_api.ControllerAPIModule.__init__
    controller_api.ControllerAPIModule.__init__ = capture
    try:
        module.main()
    except _Captured as captured:
        return captured.argument_spec, captured.options
    finally:
        controller_api.ControllerAPIModule.__init__ = original
    raise AssertionError(f"awx.awx.{name} did not build its module")


def _stand_in(value, option: dict):
    """A templated value becomes a value of the option's type (the first choice when it has choices)."""
    if isinstance(value, str) and "{{" in value:
        if option.get("choices"):
            return option["choices"][0]
        return PLACEHOLDERS[option.get("type")]
    if isinstance(value, dict) and option.get("options"):
        return {k: _stand_in(v, option["options"].get(k, {})) for k, v in value.items()}
    if isinstance(value, list):
        return [_stand_in(v, {"type": option.get("elements"), "options": option.get("options")}) for v in value]
    return value


def check_task(module: str, args: dict) -> list[str]:
    """The argument errors awx.awx.<module> would report for these task arguments."""
    spec, options = module_spec(module)
    aliases = {alias: name for name, option in spec.items() for alias in option.get("aliases", [])}
    params = {key: _stand_in(value, spec.get(aliases.get(key, key), {})) for key, value in args.items()}
    validator = ArgumentSpecValidator(
        spec,
        mutually_exclusive=options.get("mutually_exclusive"),
        required_together=options.get("required_together"),
        required_one_of=options.get("required_one_of"),
        required_if=options.get("required_if"),
    )
    return [str(error) for error in validator.validate(params).errors]


def _tasks(items):
    for task in items or []:
        yield task
        for section in ("block", "rescue", "always"):
            yield from _tasks(task.get(section))


def awx_tasks() -> list[tuple[str, str, dict]]:
    found = []
    files = sorted(REPO.glob("roles/*/tasks/*.yml")) + sorted(REPO.glob("playbooks/*.yml"))
    for path in files:
        content = yaml.safe_load(path.read_text()) or []
        plays = [p for p in content if "hosts" in p]
        tasks = (
            [t for p in plays for s in ("pre_tasks", "tasks", "post_tasks") for t in p.get(s) or []]
            if plays
            else content
        )
        for task in _tasks(tasks):
            for key, args in task.items():
                if key.startswith("awx.awx."):
                    found.append((f"{path.relative_to(REPO)}: {task.get('name')}", key.split(".")[-1], args))
    return found


TASKS = awx_tasks()


def test_the_awx_role_configures_through_awx_awx_modules():
    assert {task[1] for task in TASKS} >= {
        "organization",
        "project",
        "inventory",
        "inventory_source",
        "credential",
        "job_template",
        "workflow_job_template",
        "workflow_job_template_node",
        "schedule",
        "notification_template",
    }


@pytest.mark.parametrize(("where", "module", "args"), TASKS, ids=[t[0] for t in TASKS])
def test_awx_task_arguments_match_the_module_argument_spec(where, module, args):
    assert check_task(module, args) == []


@pytest.mark.parametrize(
    ("module", "args", "error"),
    [
        ("project", {"name": "p", "scm_urll": "https://x"}, "scm_urll"),
        ("job_template", {"name": "j", "job_type": "deploy"}, "job_type"),
        ("schedule", {"name": "s", "extra_data": "{{ x }}", "enabled": "sometimes"}, "enabled"),
        ("credential", {"name": "c"}, "credential_type"),
        ("workflow_job_template_node", {"workflow": "w", "success_nodes": ["b"]}, "identifier"),
        ("credential", {"name": "c", "credential_type": "t", "organization": "o", "user": "u"}, "mutually exclusive"),
    ],
)
def test_the_check_finds_what_the_module_would_refuse(module, args, error):
    errors = check_task(module, args)
    assert errors and error in " ".join(errors)
