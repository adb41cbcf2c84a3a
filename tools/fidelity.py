"""``make fidelity``: how faithfully the AWS emulator serves what the collection uses (docs/fidelity.md).

Every AWS action the collection calls - found in its code (plugins/ through module_utils/aws_client.py, the Lambda
functions in roles/*/files/lambda) and in the request log of the last test run (``.emulator/actions.json``,
written by the pytest plugin: the calls of every ansible-playbook run and of every Lambda function the emulator
ran, which include those of the amazon.aws and community.aws modules the roles use) - and every CloudFormation
resource type of the templates, each with:

- served by: moto's handler, or our extension (emulator/aws/), and which of our modules change what moto does;
- shape-checked: how many of its answers the last run checked against botocore's output shape (shapes.py);
- paged: for a list botocore can paginate, whether the emulator pages it with the paginator model's tokens;
- failure modes: the documented failure modes the emulator models for it, with their tests
  (emulator/aws/failure_modes.py).

It ends with what is not modelled. The pytest plugin fails a run whose collection called an action this report
does not list; ``--check`` fails when the report is stale or an action of the run is not served and checked.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import pathlib
import re
import sys
from collections import defaultdict

import botocore.session
import yaml
from botocore import xform_name

from emulator.aws import failure_modes
from emulator.aws.control import COLLECTION_CALLERS

REPO = pathlib.Path(__file__).resolve().parents[1]
RECORD = REPO / ".emulator" / "actions.json"
REPORT = REPO / "docs" / "fidelity.md"
# botocore service name -> moto's package, where they differ
MOTO_PACKAGES = {"lambda": "awslambda"}

_SESSION = botocore.session.get_session()


def _model(service: str):
    return _SESSION.get_service_model(service)


# --- what the collection uses ----------------------------------------------------------------------------


def code_actions() -> dict[str, set[str]]:
    """``service.Action`` -> the files calling it: plugins (ApiClient's call/paginate/pages) and the Lambdas."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((REPO / "plugins").rglob("*.py")):
        text = path.read_text()
        # clients("rds", region), api("s3", region), ...: a botocore service name as a call's first argument
        services = set(re.findall(r'\(\s*"([a-z0-9-]+)"\s*,', text)) & set(_SESSION.get_available_services())
        for action in re.findall(r'\.(?:call|paginate|pages)\(\s*"([A-Z][A-Za-z0-9]+)"', text):
            owners = [s for s in services if action in _model(s).operation_names]
            for service in owners[:1] if len(owners) == 1 else owners:
                found[f"{service}.{action}"].add(str(path.relative_to(REPO)))
    for path in sorted(REPO.glob("roles/*/files/lambda/*.py")):
        text = path.read_text()
        services = set(re.findall(r'boto3\.client\(\s*"([a-z0-9-]+)"', text))
        names = set(re.findall(r"\.([a-z_]+)\(", text)) | set(re.findall(r'get_paginator\(\s*"([a-z_]+)"', text))
        for service in services:
            for operation in _model(service).operation_names:
                if xform_name(operation) in names:
                    found[f"{service}.{operation}"].add(str(path.relative_to(REPO)))
    return found


def template_types() -> dict[str, set[str]]:
    """CloudFormation type -> the templates that use it."""

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when PyYAML has it
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(REPO.glob("roles/*/files/*.yaml")):
        template = yaml.load(path.read_text(), Loader=Loader)  # noqa: S506 - a SafeLoader subclass
        for resource in (template.get("Resources") or {}).values():
            found[resource["Type"]].add(path.name)
    return found


def role_modules() -> dict[str, set[str]]:
    """amazon.aws / community.aws modules -> the roles and playbooks that use them."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted([*REPO.glob("roles/*/tasks/*.yml"), *REPO.glob("playbooks/*.yml")]):
        for name in re.findall(r"^\s*-?\s*((?:amazon\.aws|community\.aws)\.[a-z0-9_]+):", path.read_text(), re.M):
            found[name].add(str(path.relative_to(REPO)))
        for name in re.findall(r"lookup\(\s*'((?:amazon\.aws|community\.aws)\.[a-z0-9_]+)'", path.read_text()):
            found[f"{name} (lookup)"].add(str(path.relative_to(REPO)))
    return found


# --- how the emulator serves it ----------------------------------------------------------------------------


def _emulator_file(function) -> str | None:
    try:
        filename = inspect.getsourcefile(function) or ""
    except TypeError:
        return None
    return pathlib.Path(filename).name if "/emulator/" in filename.replace("\\", "/") else None


def _response_class(service: str):
    from moto.core.responses import BaseResponse

    module = importlib.import_module(f"moto.{MOTO_PACKAGES.get(service, service)}.responses")
    classes = [
        c
        for c in vars(module).values()
        if inspect.isclass(c) and issubclass(c, BaseResponse) and c.__module__.startswith(module.__name__)
    ]
    return max(classes, key=lambda c: len(inspect.getmro(c))) if classes else None


def _patching_modules() -> dict[str, set[str]]:
    """moto package -> our modules that change it (they import from it)."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((REPO / "emulator" / "aws").glob("*.py")):
        for package in re.findall(r"^from moto\.([a-z0-9_]+)", path.read_text(), re.M):
            if package not in ("core", "moto_api", "moto_server", "iam"):
                found[package].add(path.name)
    return found


def served_by(operation: str, patches: dict[str, set[str]]) -> str:
    service, action = operation.split(".")
    try:
        cls = _response_class(service)
    except ImportError:
        return "not served (moto has no such service)"
    handler = getattr(cls, xform_name(action), None) if cls else None
    ours = sorted(patches.get(MOTO_PACKAGES.get(service, service), ()))
    if handler is None:
        if _model(service).protocol in ("rest-json", "rest-xml"):
            return "moto (routed by URL)" + (f"; changed by {', '.join(ours)}" if ours else "")
        return "not served"
    layers, function = [], handler
    while function is not None:
        layers.append(function)
        function = getattr(function, "__wrapped__", None)
    innermost = _emulator_file(layers[-1])
    wrappers = sorted({f for f in (_emulator_file(layer) for layer in layers[:-1]) if f})
    if innermost:
        return f"extension ({innermost})" + (f"; paged by {', '.join(wrappers)}" if wrappers else "")
    changed = sorted(set(wrappers) | set(ours))
    return "moto" + (f"; changed by {', '.join(changed)}" if changed else "")


def paging_of(operation: str) -> str:
    from emulator.aws import paging

    service, action = operation.split(".")
    model = _model(service)
    try:
        paginator = _SESSION.get_paginator_model(service, model.api_version).get_paginator(action)
    except Exception:  # noqa: BLE001 - botocore has no paginator: not a paged list
        return "-"
    specs = {spec.operation: spec for _cls, _name, spec, _page in paging.PAGED}
    specs[paging.S3_BUCKETS.operation] = paging.S3_BUCKETS
    if operation in specs:
        spec = specs[operation]
        return f"yes ({spec.request_token} -> {spec.response_token})"
    if operation in paging.paged_operations():
        return f"yes (moto's own: {', '.join(paginator['output_token'])}; page size capped)"
    return f"NO (botocore pages it with {paginator['output_token']})"


def type_served_by(type_name: str) -> str:
    from moto.cloudformation import parsing

    model = parsing.get_model_map().get(type_name)
    if model is None:
        return "not served" if type_name not in parsing.NULL_MODELS else "moto (no model: a placeholder)"
    file = _emulator_file(model)
    return f"extension ({file})" if file else "moto"


# --- the report --------------------------------------------------------------------------------------------


def _modes(subject: str) -> str:
    return ", ".join(f"F{i}" for i, mode in enumerate(failure_modes.FAILURE_MODES, 1) if mode.applies(subject)) or "-"


def build(record: dict | None) -> tuple[str, list[str]]:
    """The report, and the problems ``--check`` fails on."""
    from emulator.aws import extensions, resource_schemas

    extensions.install()
    code = code_actions()
    run = {
        name: callers
        for name, callers in (record or {}).get("actions", {}).items()
        if any(c in callers for c in COLLECTION_CALLERS) and "." in name
    }
    checked = (record or {}).get("checked", {})
    skipped = (record or {}).get("skipped", {})
    patches = _patching_modules()
    problems: list[str] = []
    rows, pages = [], []
    for name in sorted(set(code) | set(run)):
        callers = run.get(name, {})
        sources = sorted(code.get(name, ()))
        by = [f"{c} {callers[c]}" for c in COLLECTION_CALLERS if c in callers]
        called = "; ".join([*sources, *(["run: " + ", ".join(by)] if by else [])])
        served = served_by(name, patches)
        if name in run:
            service, action = name.split(".")
            empty = _model(service).operation_model(action).output_shape is None
            note = "; no output members" if empty else ""
            shape = f"yes ({checked[name]}{note})" if checked.get(name) else f"NO ({skipped.get(name, 'no answer')})"
        else:
            shape = "not in the run"
        paged = paging_of(name)
        pages.append(paged)
        rows.append(f"| `{name}` | {called} | {served} | {shape} | {paged} | {_modes(name)} |")
        if name in run and (served.startswith("not served") or not checked.get(name)):
            problems.append(f"{name}: {served}, shape-checked: {shape}")
        if paged.startswith("NO"):
            problems.append(f"{name}: botocore pages it, the emulator does not")
    types = template_types()
    type_rows = []
    for type_name in sorted(types):
        schema = "yes" if resource_schemas.schema(type_name) else "no schema"
        type_rows.append(
            f"| `{type_name}` | {', '.join(sorted(types[type_name]))} | {type_served_by(type_name)} | {schema} | "
            f"{_modes(type_name)} |"
        )
    in_run = list(run)
    served_checked = [n for n in in_run if checked.get(n) and not served_by(n, patches).startswith("not served")]
    paginable = [p for p in pages if p != "-"]
    lines = [
        "# Fidelity of the AWS emulator",
        "",
        "Generated by `make fidelity` (tools/fidelity.py) - do not edit. Sources: the collection's code (plugins/, "
        "roles/*/files/lambda), its templates, and the request log of the last test run (`.emulator/actions.json`, "
        "written by the pytest plugin: the calls of every ansible-playbook run and of every Lambda function the "
        "emulator ran, so also those of the amazon.aws and community.aws modules the roles use). "
        "`make test` fails when the collection calls an action this page does not list.",
        "",
        f"- {len(rows)} AWS actions the collection calls: {len(code)} named in its code, {len(in_run)} called in the "
        "last test run.",
        f"- Of the {len(in_run)} called in the run: {len(served_checked)} served and shape-checked "
        f"({100 * len(served_checked) // max(len(in_run), 1)}%).",
        f"- {len(paginable)} are lists botocore can paginate: "
        f"{sum(p.startswith('yes') for p in paginable)} paged by the emulator with the paginator model's tokens; "
        "in the test suite every such list comes one item a page to the collection's calls (`EMULATOR_PAGE_SIZE=1`).",
        f"- {len(type_rows)} CloudFormation resource types in the templates, each checked against its resource "
        "provider schema (emulator/tests/test_resource_schemas.py).",
        "",
        "## Actions",
        "",
        "| Action | Called by | Served by | Shape-checked (answers) | Paged | Failure modes |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "## CloudFormation resource types",
        "",
        "| Type | Templates | Served by | Resource provider schema | Failure modes |",
        "|---|---|---|---|---|",
        *type_rows,
        "",
        "## Modules the roles use",
        "",
        "Their calls are in the table above through the test run's request log.",
        "",
        *[f"- `{module}`: {', '.join(sorted(files))}" for module, files in sorted(role_modules().items())],
        "",
        "## Failure modes modelled",
        "",
    ]
    for index, mode in enumerate(failure_modes.FAILURE_MODES, 1):
        lines.append(f"- **F{index}** {mode.name} ({mode.doc}). Tests: " + ", ".join(f"`{t}`" for t in mode.tests))
    lines += ["", "## Not modelled", "", *[f"- {item}" for item in failure_modes.NOT_MODELLED]]
    unchecked = sorted(n for n in set((record or {}).get("actions", {})) if n not in checked and n in skipped)
    if unchecked:
        lines.append(
            "- Answers not shape-checked in the last run (botocore has no output shape or operation for them): "
            + ", ".join(f"`{n}` ({skipped[n]})" for n in unchecked)
        )
    if record is None:
        problems.append(f"no request log: run the tests first ({RECORD.relative_to(REPO)})")
    return "\n".join(lines) + "\n", problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", type=pathlib.Path, default=RECORD)
    parser.add_argument("--output", type=pathlib.Path, default=REPORT)
    parser.add_argument("--check", action="store_true", help="fail on a stale report or an action not served/checked")
    args = parser.parse_args()
    record = json.loads(args.record.read_text()) if args.record.exists() else None
    report, problems = build(record)
    if args.check:
        stale = not args.output.exists() or args.output.read_text() != report
        for problem in problems + ([f"{args.output} is stale: run make fidelity"] if stale else []):
            print(problem, file=sys.stderr)
        return 1 if problems or stale else 0
    args.output.write_text(report)
    print(f"wrote {args.output}")
    for problem in problems:
        print("  " + problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
