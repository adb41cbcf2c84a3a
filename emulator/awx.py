"""An AWX API stand-in: the ``/api/v2/`` objects playbooks/awx_configure.yml manages, over real HTTP.

It follows AWX's documented REST behaviour (docs.ansible.com AWX API reference, awx/docs/schedules.md)
for what the awx.awx modules use:

- authentication: ``POST /api/v2/tokens/`` with basic auth returns a bearer token, ``DELETE`` revokes
  it; every other request needs the token or basic auth (401 otherwise). Responses carry
  ``X-API-Product-Name: AWX`` and ``X-API-Product-Version``.
- list views filter by exact field values, ``or__<field>`` terms match any, and page
  (``count``/``next``/``results``); detail views GET, PATCH and DELETE (204); creation answers 201;
  validation errors answer 400 with the field's messages, names are unique per organization (or per
  inventory, per workflow), references must exist.
- sub-lists associate (``{"id": n}``) and disassociate (``{"id": n, "disassociate": true}``) with 204:
  credentials (one per credential type), notification templates, workflow node links.
- projects: creation and ``update`` run a project update that clones the Git repository (``git clone
  --branch``); a missing repository or branch fails the update; job templates may only name
  playbooks of that checkout, SCM inventory sources only files in it.
- credentials: inputs are checked against the credential type's fields (unknown and missing
  required ones refused) and secret fields read back as ``$encrypted$``; managed credential types
  (Amazon Web Services, OpenShift or Kubernetes API Bearer Token, Source Control, Machine) exist.
- notification templates: the type's configuration fields are required (unless they have a
  default), passwords read back as ``$encrypted$``.
- survey specs: validated like AWX (question types, unique variables, choices and defaults).
- schedules: the RRULE must satisfy AWX's documented limits (DTSTART with a timezone first, one
  DTSTART, at least one RRULE, INTERVAL in every rule - EXRULE exceptions included, no SECONDLY, no
  BYDAY with a numeric prefix, not both COUNT and UNTIL, COUNT at most 999, no RDATE/EXDATE);
  ``next_run``/``dtstart``/``dtend`` come from dateutil as in AWX (EXRULE occurrences left out);
  ``extra_data`` must be prompted (survey variables or ``ask_variables_on_launch``), and so must a
  workflow node's ``extra_data`` for its job template (WorkflowJobTemplateNodeSerializer).
- approval nodes: ``POST workflow_job_template_nodes/<id>/create_approval_template/`` (name, description,
  timeout in seconds) creates a workflow approval template, answers it with 201 and makes it the node's
  ``unified_job_template``; it reads and patches at ``workflow_approval_templates/<id>/``
  (awx/api/views WorkflowJobTemplateNodeCreateApproval, WorkflowApprovalTemplateDetail).
- workflow job templates have ``notification_templates_approvals`` (sent when an approval waits, is
  approved, denied or times out).
- ``POST job_templates/<id>/launch/`` accepts a launch as AWX's JobLaunchSerializer does (prompted
  ``extra_vars`` only, required survey answers present) and records a ``pending`` job of the template's
  ``job_type`` at ``jobs/<id>/``: the job never runs.

Not covered: running jobs (no playbook runs, no artifacts), running workflows (no workflow jobs, no
approvals waiting, approving, denying or timing out), RBAC beyond the one admin user (no approve
role), sending notifications, inventory updates, named URLs, copying, instance groups, labels, and
the objects the playbook does not manage.

Run as ``python -m emulator.awx --port-file FILE`` or start in-process with ``serve()``.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import functools
import json
import pathlib
import re
import secrets
import subprocess
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml
from dateutil import rrule as dateutil_rrule

VERSION = "24.6.1"
ENCRYPTED = "$encrypted$"
USERNAME, PASSWORD = "admin", "awx-stand-in-password"


class Invalid(Exception):
    """A 400 answer: ``{field: [message]}``."""

    def __init__(self, errors: dict[str, list[str]] | str, status: int = 400):
        super().__init__(str(errors))
        self.errors = errors if isinstance(errors, dict) else {"__all__": [errors]}
        self.status = status


# What each endpoint holds: its ``type``, the scope of the unique name, references, and sub-lists.
ENDPOINTS: dict[str, dict[str, Any]] = {
    "organizations": {"type": "organization", "unique": ()},
    "execution_environments": {"type": "execution_environment", "unique": ("organization",), "required": ("image",)},
    "projects": {"type": "project", "unique": ("organization",), "required": ("organization",)},
    "project_updates": {"type": "project_update", "unique": None},
    "inventories": {"type": "inventory", "unique": ("organization",), "required": ("organization",)},
    "inventory_sources": {"type": "inventory_source", "unique": ("inventory",), "required": ("inventory",)},
    "credential_types": {"type": "credential_type", "unique": ()},
    "credentials": {
        "type": "credential",
        "unique": ("organization", "credential_type"),
        "required": ("credential_type",),
    },
    "notification_templates": {
        "type": "notification_template",
        "unique": ("organization",),
        "required": ("organization", "notification_type"),
    },
    "job_templates": {"type": "job_template", "unique": ("organization",), "required": ("project", "playbook")},
    "workflow_job_templates": {"type": "workflow_job_template", "unique": ("organization",)},
    "workflow_job_template_nodes": {
        "type": "workflow_job_template_node",
        "unique": None,
        "required": ("workflow_job_template",),
    },
    "workflow_approval_templates": {"type": "workflow_approval_template", "unique": None},
    "jobs": {"type": "job", "unique": None},
    "schedules": {
        "type": "schedule",
        "unique": ("unified_job_template",),
        "required": ("rrule", "unified_job_template"),
    },
}
REFERENCES = {
    "organization": "organizations",
    "project": "projects",
    "source_project": "projects",
    "inventory": "inventories",
    "credential_type": "credential_types",
    "execution_environment": "execution_environments",
    "default_environment": "execution_environments",
    "workflow_job_template": "workflow_job_templates",
}
UNIFIED = ("projects", "inventory_sources", "job_templates", "workflow_job_templates", "workflow_approval_templates")
APPROVAL_FIELDS = ("name", "description", "timeout")
# Made by the API itself (a project update, a launch), never by a POST to their list.
READ_ONLY = ("project_updates", "jobs", "workflow_approval_templates", "unified_job_templates")
NOTIFICATION_LISTS = (
    "notification_templates_started",
    "notification_templates_success",
    "notification_templates_error",
)
SUBLISTS = {
    "job_templates": {"credentials": "credentials", **dict.fromkeys(NOTIFICATION_LISTS, "notification_templates")},
    "workflow_job_templates": dict.fromkeys(
        (*NOTIFICATION_LISTS, "notification_templates_approvals"), "notification_templates"
    ),
    "projects": dict.fromkeys(NOTIFICATION_LISTS, "notification_templates"),
    "organizations": dict.fromkeys(NOTIFICATION_LISTS, "notification_templates"),
    "inventory_sources": dict.fromkeys(NOTIFICATION_LISTS, "notification_templates"),
    "workflow_job_template_nodes": dict.fromkeys(
        ("success_nodes", "failure_nodes", "always_nodes"), "workflow_job_template_nodes"
    ),
}
# Fields of AWX's managed credential types (awx/main/models/credential/__init__.py).
MANAGED_CREDENTIAL_TYPES = [
    {
        "name": "Amazon Web Services",
        "kind": "cloud",
        "namespace": "aws",
        "inputs": {
            "fields": [
                {"id": "username", "label": "Access Key", "type": "string"},
                {"id": "password", "label": "Secret Key", "type": "string", "secret": True},
                {"id": "security_token", "label": "STS Token", "type": "string", "secret": True},
            ],
            "required": ["username", "password"],
        },
    },
    {
        "name": "OpenShift or Kubernetes API Bearer Token",
        "kind": "kubernetes",
        "namespace": "kubernetes_bearer_token",
        "inputs": {
            "fields": [
                {"id": "host", "label": "OpenShift or Kubernetes API Endpoint", "type": "string"},
                {"id": "bearer_token", "label": "API authentication bearer token", "type": "string", "secret": True},
                {"id": "verify_ssl", "label": "Verify SSL", "type": "boolean", "default": False},
                {"id": "ssl_ca_cert", "label": "Certificate Authority data", "type": "string", "secret": True},
            ],
            "required": ["host", "bearer_token"],
        },
    },
    {
        "name": "Source Control",
        "kind": "scm",
        "namespace": "scm",
        "inputs": {
            "fields": [
                {"id": "username", "label": "Username", "type": "string"},
                {"id": "password", "label": "Password", "type": "string", "secret": True},
                {"id": "ssh_key_data", "label": "SCM Private Key", "type": "string", "secret": True},
            ]
        },
    },
    {
        "name": "Machine",
        "kind": "ssh",
        "namespace": "ssh",
        "inputs": {
            "fields": [
                {"id": "username", "label": "Username", "type": "string"},
                {"id": "password", "label": "Password", "type": "string", "secret": True},
            ]
        },
    },
]
# Configuration fields per notification type (awx/main/notifications/*.py): name -> (type, has default).
NOTIFICATION_FIELDS = {
    "webhook": {
        "url": ("string", False),
        "headers": ("object", True),
        "http_method": ("string", True),
        "username": ("string", True),
        "password": ("password", True),
        "disable_ssl_verification": ("bool", True),
    },
    "slack": {"token": ("password", False), "channels": ("list", False), "hex_color": ("string", True)},
    "email": {
        "host": ("string", False),
        "port": ("int", False),
        "username": ("string", False),
        "password": ("password", False),
        "use_tls": ("bool", True),
        "use_ssl": ("bool", True),
        "sender": ("string", False),
        "recipients": ("list", False),
        "timeout": ("int", True),
    },
    "pagerduty": {
        "token": ("password", False),
        "subdomain": ("string", False),
        "service_key": ("password", False),
        "client_name": ("string", False),
    },
    "awssns": {
        "aws_region": ("string", False),
        "aws_access_key_id": ("string", True),
        "aws_secret_access_key": ("password", True),
        "aws_session_token": ("password", True),
        "sns_topic_arn": ("string", False),
    },
}
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
SCM_TYPES = {"", "git", "svn", "insights", "archive"}
INVENTORY_SOURCES = {"file", "scm", "ec2", "gce", "azure_rm", "vmware", "satellite6", "openstack", "rhv"}
RRULE_LIMITS = [
    (lambda r: not r.startswith("DTSTART"), "The rrule must start with DTSTART"),
    (lambda r: len(re.findall(r"DTSTART", r)) > 1, "Multiple DTSTART is not supported."),
    (lambda r: "RRULE:" not in r, "RRULE required in rrule."),
    (lambda r: re.search(r"\b(RDATE|EXDATE)", r), "RDATE and EXDATE are not supported."),
]
RULE_LIMITS = [
    (lambda rule: "INTERVAL=" not in rule, "INTERVAL required in rrule."),
    (lambda rule: "FREQ=SECONDLY" in rule, "SECONDLY is not supported."),
    (
        lambda rule: re.search(r"BYDAY=[^;]*[+-]?\d+(MO|TU|WE|TH|FR|SA|SU)", rule),
        "BYDAY with numeric prefix not supported.",
    ),
    (lambda rule: "COUNT=" in rule and "UNTIL=" in rule, "RRULE may not contain both COUNT and UNTIL"),
    (
        lambda rule: int(re.search(r"COUNT=(\d+)", rule)[1]) > 999 if "COUNT=" in rule else False,
        "COUNT > 999 is unsupported.",
    ),
]


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """The objects, by endpoint and id, and the project checkouts."""

    def __init__(self, workdir: pathlib.Path):
        self.lock = threading.RLock()
        self.workdir = workdir
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.objects: dict[str, dict[int, dict]] = {endpoint: {} for endpoint in ENDPOINTS}
            self.links: dict[tuple[str, int, str], list[int]] = {}
            self.surveys: dict[tuple[str, int], dict] = {}
            self.secrets: dict[tuple[str, int], dict] = {}  # what $encrypted$ hides
            self.tokens: dict[str, int] = {}
            self.requests: list[dict] = []
            self.next_id = 1
            self.checkouts: dict[int, pathlib.Path] = {}
            for kind in MANAGED_CREDENTIAL_TYPES:
                self._insert("credential_types", {**kind, "managed": True, "injectors": {}, "description": ""})

    # --- objects ------------------------------------------------------------------------------------
    def _insert(self, endpoint: str, fields: dict) -> dict:
        item_id = self.next_id
        self.next_id += 1
        item = {"id": item_id, "type": ENDPOINTS[endpoint]["type"], "created": _now(), **fields}
        self.objects[endpoint][item_id] = item
        return item

    def render(self, endpoint: str, item: dict) -> dict:
        url = f"/api/v2/{endpoint}/{item['id']}/"
        related = {name: f"{url}{name}/" for name in SUBLISTS.get(endpoint, {})}
        related |= (
            {"survey_spec": f"{url}survey_spec/"} if endpoint in ("job_templates", "workflow_job_templates") else {}
        )
        if endpoint == "projects":
            related |= {"update": f"{url}update/", "project_updates": f"{url}project_updates/"}
        if endpoint == "workflow_job_template_nodes":
            related["create_approval_template"] = f"{url}create_approval_template/"
            if item.get("unified_job_template"):
                kind = self.unified(item["unified_job_template"])[0]
                related["unified_job_template"] = f"/api/v2/{kind}/{item['unified_job_template']}/"
        if endpoint == "job_templates":
            related["launch"] = f"{url}launch/"
        for field, target in REFERENCES.items():
            if item.get(field):
                related[field] = f"/api/v2/{target}/{item[field]}/"
        summary: dict[str, Any] = {}
        if endpoint == "projects" and item.get("_current_update"):
            summary["current_update"] = {"id": item["_current_update"]}
        shown = {k: v for k, v in item.items() if not k.startswith("_")}
        return {**shown, "url": url, "related": related, "summary_fields": summary}

    def unified(self, item_id: int) -> tuple[str, dict]:
        for endpoint in UNIFIED:
            if item_id in self.objects[endpoint]:
                return endpoint, self.objects[endpoint][item_id]
        raise Invalid({"unified_job_template": [f'Invalid pk "{item_id}" - object does not exist.']})

    def get(self, endpoint: str, item_id: int) -> dict:
        try:
            return self.objects[endpoint][item_id]
        except KeyError:
            raise Invalid({"detail": ["Not found."]}, status=404) from None

    def listing(self, endpoint: str, query: dict[str, list[str]]) -> list[dict]:
        items = (
            [item for kind in UNIFIED for item in self.objects[kind].values()]
            if endpoint == "unified_job_templates"
            else list(self.objects[endpoint].values())
        )
        plain = {
            k: v[-1]
            for k, v in query.items()
            if not k.startswith("or__") and k not in ("page_size", "page", "order_by")
        }
        either = {k[4:]: v[-1] for k, v in query.items() if k.startswith("or__")}

        def matches(item: dict, field: str, value: str) -> bool:
            found = item.get(field)
            return str(found if found is not None else "") == value or (
                isinstance(found, bool) and str(found).lower() == value
            )

        found = [i for i in items if all(matches(i, f, v) for f, v in plain.items())]
        if either:
            found = [i for i in found if any(matches(i, f, v) for f, v in either.items())]
        return sorted(found, key=lambda i: i["id"])

    # --- validation ---------------------------------------------------------------------------------
    def validate(self, endpoint: str, fields: dict, existing: dict | None) -> dict:
        merged = {**(existing or {}), **fields}
        spec = ENDPOINTS[endpoint]
        errors: dict[str, list[str]] = {}
        name_field = "identifier" if endpoint == "workflow_job_template_nodes" else "name"
        if not merged.get(name_field):
            errors[name_field] = ["This field may not be blank."]
        for field in spec.get("required", ()):
            if merged.get(field) in (None, ""):
                errors[field] = ["This field is required."]
        for field, target in REFERENCES.items():
            if merged.get(field) not in (None, "") and merged[field] not in self.objects[target]:
                errors[field] = [f'Invalid pk "{merged[field]}" - object does not exist.']
        if errors:
            raise Invalid(errors)
        scope = spec["unique"]
        if scope is not None:
            for other in self.objects[endpoint].values():
                same = other.get("name") == merged.get("name") and all(other.get(f) == merged.get(f) for f in scope)
                if same and other["id"] != merged.get("id"):
                    raise Invalid(
                        f"{spec['type'].replace('_', ' ').title()} with this Name and Organization already exists."
                    )
        if endpoint == "workflow_job_template_nodes":
            for other in self.objects[endpoint].values():
                if (
                    other["identifier"] == merged["identifier"]
                    and other["workflow_job_template"] == merged["workflow_job_template"]
                    and other["id"] != merged.get("id")
                ):
                    raise Invalid(
                        "Workflow job template node with this Workflow job template and Identifier already exists."
                    )
            if merged.get("unified_job_template"):
                self.unified(merged["unified_job_template"])
                self._check_extra_data(merged)
        check = getattr(self, f"_check_{endpoint}", None)
        return check(fields, merged, existing) if check else fields

    def _check_projects(self, fields, merged, existing):
        if merged.get("scm_type", "") not in SCM_TYPES:
            raise Invalid({"scm_type": [f'"{merged["scm_type"]}" is not a valid choice.']})
        if merged.get("scm_type") and not merged.get("scm_url"):
            raise Invalid({"scm_url": ["SCM URL is required."]})
        return fields

    def _check_inventory_sources(self, fields, merged, existing):
        if merged.get("source") not in INVENTORY_SOURCES:
            raise Invalid({"source": [f'"{merged.get("source")}" is not a valid choice.']})
        if merged["source"] == "scm":
            if not merged.get("source_project"):
                raise Invalid({"source_project": ["Project required for scm type sources."]})
            checkout = self.checkouts.get(merged["source_project"])
            path = merged.get("source_path", "")
            if checkout is None or not path or not (checkout / path).is_file():
                raise Invalid({"source_path": [f"Invalid inventory file {path!r} in the project's checkout."]})
        return fields

    def _check_credential_types(self, fields, merged, existing):
        if existing and existing.get("managed"):
            raise Invalid("Modifications not allowed for managed credential types", status=403)
        if merged.get("kind") not in ("cloud", "net"):
            raise Invalid({"kind": ["Must be 'cloud' or 'net', not " + str(merged.get("kind"))]})
        ids = [f.get("id") for f in merged.get("inputs", {}).get("fields", [])]
        if len(set(ids)) != len(ids) or not all(ids):
            raise Invalid({"inputs": ["Every field needs a unique id."]})
        for env_name, template in (merged.get("injectors") or {}).get("env", {}).items():
            for used in re.findall(r"{{\s*(\w+)", template):
                if used not in ids:
                    raise Invalid({"injectors": [f"{env_name} uses {used}, which is not an input field."]})
        return fields

    def _check_credentials(self, fields, merged, existing):
        kind = self.objects["credential_types"][merged["credential_type"]]
        declared = {f["id"]: f for f in kind["inputs"].get("fields", [])}
        inputs = fields.get("inputs")
        if inputs is None:
            return fields
        unknown = sorted(set(inputs) - set(declared))
        if unknown:
            raise Invalid({"inputs": {name: [f"'{name}' is not a valid field"] for name in unknown}})
        missing = [name for name in kind["inputs"].get("required", []) if inputs.get(name) in (None, "")]
        if missing:
            raise Invalid({"inputs": {name: ["required for " + kind["name"]] for name in missing}})
        stored = dict(self.secrets.get(("credentials", merged.get("id", 0)), {}))
        shown = {}
        for name, value in inputs.items():
            if declared[name].get("secret"):
                if value != ENCRYPTED:
                    stored[name] = value
                shown[name] = ENCRYPTED
            else:
                shown[name] = value
        return {**fields, "inputs": shown, "_secrets": stored}

    def _check_notification_templates(self, fields, merged, existing):
        kind = merged["notification_type"]
        if kind not in NOTIFICATION_FIELDS:
            raise Invalid({"notification_type": [f'"{kind}" is not a valid choice.']})
        config = fields.get("notification_configuration")
        if config is None:
            return fields
        declared = NOTIFICATION_FIELDS[kind]
        missing = [name for name, field in declared.items() if not field[1] and name not in config]
        if missing:
            raise Invalid(
                {"notification_configuration": [f"Missing required fields for Notification Configuration: {missing}."]}
            )
        unknown = sorted(set(config) - set(declared))
        if unknown:
            raise Invalid({"notification_configuration": [f"Unknown fields: {unknown}."]})
        shown = {n: ENCRYPTED if declared[n][0] == "password" and v else v for n, v in config.items()}
        return {**fields, "notification_configuration": shown}

    def _check_job_templates(self, fields, merged, existing):
        if merged.get("job_type", "run") not in ("run", "check"):
            raise Invalid({"job_type": [f'"{merged["job_type"]}" is not a valid choice.']})
        if not merged.get("inventory") and not merged.get("ask_inventory_on_launch"):
            raise Invalid({"inventory": ["Job Templates must have an inventory or allow prompting for it."]})
        checkout = self.checkouts.get(merged["project"])
        if checkout is None or merged["playbook"] not in playbooks(checkout):
            raise Invalid({"playbook": ["Playbook not found for project."]})
        return fields

    def _check_schedules(self, fields, merged, existing):
        rule = merged["rrule"]
        for broken, message in RRULE_LIMITS:
            if broken(rule):
                raise Invalid({"rrule": [message]})
        if not re.match(r"DTSTART(;TZID=[\w/+-]+:\d{8}T\d{6}|:\d{8}T\d{6}Z)\s", rule):
            raise Invalid({"rrule": ["A valid TZID must be provided (e.g., America/New_York)"]})
        for part in re.findall(r"(?:RRULE|EXRULE):(\S+)", rule):
            for broken, message in RULE_LIMITS:
                if broken(part):
                    raise Invalid({"rrule": [message]})
        try:
            occurrences = dateutil_rrule.rrulestr(re.sub(r" (RRULE|EXRULE):", r"\n\1:", rule), forceset=True)
        except (ValueError, TypeError) as error:
            raise Invalid({"rrule": [f"rrule parsing failed validation: {error}"]}) from None
        now = datetime.datetime.now(datetime.UTC)
        following = occurrences.after(now)
        first = next(iter(occurrences), None)
        if first is None:
            raise Invalid({"rrule": ["The rrule has no occurrence."]})
        self._check_extra_data(merged)
        utc = datetime.UTC

        def stamp(moment):
            return moment.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None

        return {**fields, "dtstart": stamp(first), "next_run": stamp(following), "timezone": _timezone(rule)}

    def _check_workflow_approval_templates(self, fields, merged, existing):
        timeout = merged.get("timeout", 0)
        if not isinstance(timeout, int) or isinstance(timeout, bool):
            raise Invalid({"timeout": ["A valid integer is required."]})
        # WorkflowApprovalTemplateSerializer's fields only: like DRF, the others are ignored, not stored.
        return {k: v for k, v in fields.items() if k in APPROVAL_FIELDS}

    def _survey(self, endpoint: str, template: dict) -> list[dict]:
        survey = self.surveys.get((endpoint, template["id"]), {}) if template.get("survey_enabled") else {}
        return survey.get("spec", [])

    def _check_extra_data(self, config: dict, field: str = "extra_data") -> None:
        """Variables given for a later launch (a schedule's or a node's) must be prompted by its template."""
        extra = config.get(field) or {}
        if not extra:
            return
        endpoint, template = self.unified(config["unified_job_template"])
        asked = {q["variable"] for q in self._survey(endpoint, template)}
        refused = sorted(k for k in extra if k not in asked)
        if refused and not template.get("ask_variables_on_launch"):
            raise Invalid({field: [f"Variables {', '.join(refused)} provided, but not allowed on launch."]})

    def create_approval_template(self, node: dict, fields: dict) -> dict:
        """AWX's WorkflowJobTemplateNode.create_approval_template: a new approval template becomes the node's."""
        approval = self._insert(
            "workflow_approval_templates", self.validate("workflow_approval_templates", fields, None)
        )
        node.update(unified_job_template=approval["id"], modified=_now())
        return approval

    def launch(self, template: dict, body: dict) -> dict:
        """AWX's JobLaunchSerializer: prompted variables only, required survey answers present; the job waits."""
        extra = body.get("extra_vars") or {}
        if isinstance(extra, str):
            extra = yaml.safe_load(extra) or {}
        self._check_extra_data({"unified_job_template": template["id"], "extra_vars": extra}, "extra_vars")
        missing = [
            q["variable"]
            for q in self._survey("job_templates", template)
            if q["required"] and q["variable"] not in extra and q.get("default") in (None, "")
        ]
        if missing:
            raise Invalid({"variables_needed_to_start": [f"'{name}' value missing" for name in missing]})
        return self._insert(
            "jobs",
            {
                "name": template["name"],
                "job_template": template["id"],
                "unified_job_template": template["id"],
                "job_type": template.get("job_type", "run"),
                "launch_type": "manual",
                "status": "pending",
                "extra_vars": json.dumps(extra),
            },
        )

    # --- writes -------------------------------------------------------------------------------------
    def create(self, endpoint: str, fields: dict) -> dict:
        fields = {k: v for k, v in fields.items() if k not in ("id", "type", "url", "related", "summary_fields")}
        fields = self.validate(endpoint, fields, None)
        secret = fields.pop("_secrets", None)
        item = self._insert(endpoint, fields)
        if secret is not None:
            self.secrets[(endpoint, item["id"])] = secret
        if endpoint == "projects" and item.get("scm_type"):
            self.update_project(item)
        return item

    def patch(self, endpoint: str, item: dict, fields: dict) -> dict:
        fields = {k: v for k, v in fields.items() if k not in ("id", "type", "url", "related", "summary_fields")}
        fields = self.validate(endpoint, fields, item)
        secret = fields.pop("_secrets", None)
        if secret is not None:
            self.secrets[(endpoint, item["id"])] = secret
        scm_changed = endpoint == "projects" and any(
            item.get(k) != fields.get(k, item.get(k)) for k in ("scm_url", "scm_branch")
        )
        item.update(fields, modified=_now())
        if scm_changed and item.get("scm_type"):
            self.update_project(item)
        return item

    def delete(self, endpoint: str, item: dict) -> None:
        del self.objects[endpoint][item["id"]]
        if endpoint == "workflow_job_templates":
            for node in [
                n
                for n in self.objects["workflow_job_template_nodes"].values()
                if n["workflow_job_template"] == item["id"]
            ]:
                del self.objects["workflow_job_template_nodes"][node["id"]]
        if endpoint in UNIFIED:
            for schedule in [s for s in self.objects["schedules"].values() if s["unified_job_template"] == item["id"]]:
                del self.objects["schedules"][schedule["id"]]

    def update_project(self, project: dict) -> dict:
        """A project update: clone the branch, as AWX's project_update playbook does."""
        checkout = self.workdir / f"project-{project['id']}-{secrets.token_hex(4)}"
        url, branch = project["scm_url"], project.get("scm_branch") or "HEAD"
        command = ["git", "clone", "--quiet", "--depth", "1", url, str(checkout)]
        if branch != "HEAD":
            command[3:3] = ["--branch", branch]
        cloned = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - argv, no shell
        revision = ""
        if cloned.returncode == 0:
            revision = subprocess.run(  # noqa: S603
                ["git", "-C", str(checkout), "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, as AWX runs it  # noqa: S607 - git from PATH, as AWX runs it
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            self.checkouts[project["id"]] = checkout
        status = "successful" if cloned.returncode == 0 else "failed"
        update = self._insert(
            "project_updates",
            {
                "name": project["name"],
                "project": project["id"],
                "status": status,
                "failed": status == "failed",
                "finished": _now(),
                "scm_revision": revision,
                "result_stdout": cloned.stderr,
            },
        )
        project.update(
            _current_update=update["id"], status=status, scm_revision=revision or project.get("scm_revision", "")
        )
        return update


def _timezone(rule: str) -> str:
    found = re.match(r"DTSTART;TZID=([^:]+):", rule)
    return found[1] if found else "UTC"


@functools.lru_cache(maxsize=32)  # a checkout never changes: a project update clones a new one
def playbooks(checkout: pathlib.Path) -> tuple[str, ...]:
    """What AWX offers as the project's playbooks: YAML files holding plays, relative paths."""
    found = []
    for path in sorted(checkout.rglob("*.y*ml")):
        relative = path.relative_to(checkout)
        if any(part.startswith(".") or part in ("roles", "group_vars", "host_vars") for part in relative.parts):
            continue
        try:
            content = yaml.safe_load(path.read_text())
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if (
            isinstance(content, list)
            and content
            and all(
                isinstance(p, dict)
                and ("hosts" in p or "import_playbook" in p or "ansible.builtin.import_playbook" in p)
                for p in content
            )
        ):
            found.append(str(relative))
    return tuple(found)


def validate_survey(spec: dict) -> None:
    """AWX's survey spec rules (awx/api/views/__init__.py, JobTemplateSurveySpec)."""
    for key in ("name", "description", "spec"):
        if key not in spec:
            raise Invalid(f"'{key}' missing from survey spec.")
    if not isinstance(spec["spec"], list):
        raise Invalid("'spec' must be a list of items.")
    if not spec["spec"]:
        raise Invalid("'spec' doesn't contain any items.")
    seen = set()
    for index, question in enumerate(spec["spec"]):
        if not isinstance(question, dict):
            raise Invalid(f"Survey question {index} is not a json object.")
        for key in ("type", "question_name", "variable", "required"):
            if key not in question:
                raise Invalid(f"'{key}' missing from survey question {index}.")
        if question["type"] not in SURVEY_TYPES:
            raise Invalid(
                f"'{question['type']}' in survey question {index} is not one of {sorted(SURVEY_TYPES)} allowed types."
            )
        if question["variable"] in seen:
            raise Invalid(f"'variable' '{question['variable']}' duplicated in survey question {index}.")
        seen.add(question["variable"])
        if not isinstance(question["required"], bool):
            raise Invalid(f"'required' in survey question {index} expected to be a boolean.")
        if question["type"] in ("multiplechoice", "multiselect"):
            choices = question.get("choices")
            choices = choices.split("\n") if isinstance(choices, str) else choices
            if not choices:
                raise Invalid(f"Survey question {index} of type {question['type']} needs choices.")
            default = question.get("default")
            defaults = (
                default.split("\n") if question["type"] == "multiselect" and isinstance(default, str) else [default]
            )
            if default not in (None, "") and not set(defaults) <= set(choices):
                raise Invalid(f"Default choice must be answered from the choices listed (question {index}).")
        if (
            question["type"] == "integer"
            and question.get("default") not in (None, "")
            and not isinstance(question["default"], int)
        ):
            raise Invalid(f"Value {question['default']} for '{question['variable']}' expected to be an integer.")


class Handler(BaseHTTPRequestHandler):
    """One request of the API."""

    store: Store
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is served at /_emulator/requests."""

    def _send(self, status: int, body: object | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-API-Product-Name", "AWX")
        self.send_header("X-API-Product-Version", VERSION)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else {}

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header[7:] in self.store.tokens
        if header.startswith("Basic "):
            return base64.b64decode(header[6:]).decode() == f"{USERNAME}:{PASSWORD}"
        return False

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        parts = [p for p in parsed.path.split("/") if p]
        try:
            body = self._body() if method in ("POST", "PATCH") else {}
            if parts[:1] == ["_emulator"]:
                return self._control(method, parts[1:])
            if parts[:2] != ["api", "v2"]:
                return self._send(404, {"detail": "Not found."})
            with self.store.lock:
                self.store.requests.append({"method": method, "path": parsed.path, "query": parsed.query})
                if parts[2:3] == ["tokens"]:
                    return self._tokens(method, parts[3:])
                if not self._authorized():
                    return self._send(401, {"detail": "Authentication credentials were not provided."})
                status, answer = self._route(method, parts[2:], query, body)
            return self._send(status, answer)
        except Invalid as invalid:
            return self._send(invalid.status, invalid.errors)

    def _control(self, method: str, parts: list[str]) -> None:
        if parts == ["reset"]:
            self.store.reset()
            return self._send(200, {})
        if parts == ["requests"]:
            return self._send(200, {"log": self.store.requests})
        if parts == ["state"]:  # everything, secrets included, for the tests' assertions
            with self.store.lock:
                dump = {e: [self.store.render(e, i) for i in items.values()] for e, items in self.store.objects.items()}
                links = {f"{e}/{i}/{n}": ids for (e, i, n), ids in self.store.links.items()}
                surveys = {f"{e}/{i}": s for (e, i), s in self.store.surveys.items()}
                hidden = {f"{e}/{i}": s for (e, i), s in self.store.secrets.items()}
            return self._send(200, {"objects": dump, "links": links, "surveys": surveys, "secrets": hidden})
        return self._send(404, {"detail": "Not found."})

    def _tokens(self, method: str, parts: list[str]) -> None:
        if method == "POST" and not parts:
            if not self._authorized() or self.headers.get("Authorization", "").startswith("Bearer"):
                return self._send(401, {"detail": "Invalid username/password."})
            token = secrets.token_hex(15)
            token_id = self.store.next_id
            self.store.next_id += 1
            self.store.tokens[token] = token_id
            return self._send(201, {"id": token_id, "token": token, "type": "o_auth2_access_token"})
        if method == "DELETE" and parts:
            for token, token_id in list(self.store.tokens.items()):
                if str(token_id) == parts[0]:
                    del self.store.tokens[token]
                    return self._send(204)
        return self._send(404, {"detail": "Not found."})

    def _route(self, method: str, parts: list[str], query: dict, body: dict) -> tuple[int, object]:
        store = self.store
        endpoint = parts[0] if parts else ""
        if endpoint == "ping":
            return 200, {"version": VERSION, "active_node": "awx-stand-in"}
        if endpoint == "me":
            return 200, {"count": 1, "next": None, "results": [{"id": 1, "username": USERNAME, "is_superuser": True}]}
        if endpoint not in ENDPOINTS and endpoint != "unified_job_templates":
            return 404, {"detail": "Not found."}
        if len(parts) == 1:
            if method == "GET":
                found = store.listing(endpoint, query)
                if endpoint == "unified_job_templates":
                    rendered = [store.render(store.unified(i["id"])[0], i) for i in found]
                else:
                    rendered = [store.render(endpoint, i) for i in found]
                return 200, {"count": len(rendered), "next": None, "previous": None, "results": rendered}
            if method == "POST" and endpoint not in READ_ONLY:
                return 201, store.render(endpoint, store.create(endpoint, body))
            return 405, {"detail": f'Method "{method}" not allowed.'}
        item = store.get(endpoint, int(parts[1]))
        if len(parts) == 2:
            if method == "GET":
                return 200, store.render(endpoint, item)
            if method == "PATCH":
                return 200, store.render(endpoint, store.patch(endpoint, item, body))
            if method == "DELETE":
                store.delete(endpoint, item)
                return 204, None
            return 405, {"detail": f'Method "{method}" not allowed.'}
        return self._sub(method, endpoint, item, parts[2], body)

    def _sub(self, method: str, endpoint: str, item: dict, name: str, body: dict) -> tuple[int, object]:
        store = self.store
        if name == "survey_spec" and endpoint in ("job_templates", "workflow_job_templates"):
            key = (endpoint, item["id"])
            if method == "GET":
                return 200, store.surveys.get(key, {})
            if method == "POST":
                validate_survey(body)
                store.surveys[key] = body
                return 200, None
            if method == "DELETE":
                store.surveys.pop(key, None)
                return 200, None
        if name == "update" and endpoint == "projects" and method == "POST":
            update = store.update_project(item)
            return 202, {
                "id": update["id"],
                "project_update": update["id"],
                "url": f"/api/v2/project_updates/{update['id']}/",
            }
        if name == "create_approval_template" and endpoint == "workflow_job_template_nodes":
            if method == "GET":
                return 200, {}
            if method == "POST":
                return 201, store.render("workflow_approval_templates", store.create_approval_template(item, body))
        if name == "launch" and endpoint == "job_templates" and method == "POST":
            job = store.launch(item, body)
            return 201, {**store.render("jobs", job), "job": job["id"], "ignored_fields": {}}
        target = SUBLISTS.get(endpoint, {}).get(name)
        if target is None:
            return 404, {"detail": "Not found."}
        linked = store.links.setdefault((endpoint, item["id"], name), [])
        if method == "GET":
            results = [store.render(target, store.get(target, i)) for i in linked]
            return 200, {"count": len(results), "next": None, "previous": None, "results": results}
        if method != "POST":
            return 405, {"detail": f'Method "{method}" not allowed.'}
        other = store.get(target, int(body["id"]))
        if body.get("disassociate"):
            if other["id"] in linked:
                linked.remove(other["id"])
            return 204, None
        if name == "credentials":
            kinds = {store.get("credentials", i)["credential_type"] for i in linked}
            if other["credential_type"] in kinds:
                kind = store.get("credential_types", other["credential_type"])["name"]
                raise Invalid({"error": [f"Cannot assign multiple {kind} credentials."]})
        if target == "workflow_job_template_nodes" and other["workflow_job_template"] != item["workflow_job_template"]:
            raise Invalid({"error": ["Cannot associate nodes of different workflows."]})
        if other["id"] not in linked:
            linked.append(other["id"])
        return 204, None


def serve(port: int = 0, workdir: pathlib.Path | None = None) -> ThreadingHTTPServer:
    """Start the stand-in on 127.0.0.1 in a thread; ``server.server_address[1]`` is its port."""
    directory = workdir or pathlib.Path(tempfile.mkdtemp(prefix="awx-stand-in-"))
    handler = type("BoundHandler", (Handler,), {"store": Store(directory)})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", type=pathlib.Path)
    args = parser.parse_args()
    server = serve(args.port)
    if args.port_file:
        args.port_file.write_text(str(server.server_address[1]))
    print(f"AWX API stand-in on http://127.0.0.1:{server.server_address[1]}/api/v2/ ({USERNAME} / {PASSWORD})")
    threading.Event().wait()


if __name__ == "__main__":
    main()
