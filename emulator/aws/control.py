"""Test controls of the AWS emulator: latency, fault injection, throttling, request log.

All of it lives in the server process and is driven over HTTP under ``/_emulator/``:

- ``GET|POST /_emulator/config``: ``{"stack_latency": {"<fnmatch of stack name>": seconds},
  "throttle": {"rate": 0.3 | "count": 2, "services": ["cloudformation"], "actions": [...], "seed": 1}}``
  (a fraction of the matching calls, or exactly the next ``count`` of them), and the ``SETTINGS``
  below (global database transitions and lag, see global_failover.py)
- ``POST /_emulator/faults``: ``{"resource": "LogicalId"|None, "type": "AWS::X::Y"|None,
  "stack": "<fnmatch>"|None, "reason": "...", "during": "create"|"rollback"}``; ``DELETE`` clears them.
  A "rollback" fault leaves the resource unable to roll back: a failed update ends UPDATE_ROLLBACK_FAILED.
- ``GET /_emulator/actions``: every operation answered since the server started, by caller ("ansible",
  "lambda", "test"; resets keep it), with the answers shape-checked per operation (the fidelity report).
- ``GET /_emulator/requests``: ``{"total", "writes", "by_action": {"service.Action": n},
  "log": [...]}``; ``DELETE`` clears it.
- ``POST /_emulator/reset``: moto's own reset plus all of the above (settings back to ``DEFAULT_SETTINGS``).
- ``GET|DELETE /_emulator/violations``: answers that break botocore's output shape of their operation
  (shapes.py), recorded while ``response_shapes`` is on (env ``EMULATOR_RESPONSE_SHAPES=1`` at start, or
  ``POST /_emulator/config {"response_shapes": true}``); ``{"enabled", "checked", "violations": [{"operation",
  "path", "problem"}]}``, DELETE answers them and clears them. Resets do not clear them: they belong to the
  test that caused them, which the pytest plugin fails.
- ``POST /_emulator/corrupt``: ``{"operation": "<fnmatch of service.Action>", "member": "Name", "value": "x"|null}``
  the next matching answer carries ``value`` in its first ``member`` (null: without it; ``"rename": "Other"``:
  the member under another name) - to show that a malformed answer is caught.
"""

from __future__ import annotations

import fnmatch
import io
import json
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import botocore.session

from emulator.aws.shapes import CHECKER

# Actions that only read: everything else counts as a write in the request log.
READ_PREFIXES = ("Describe", "List", "Get", "Head", "Lookup", "Validate", "Estimate", "Search", "Check")
# Actions whose IAM access level is Read although their name does not say so: drift detection reads the
# resources and changes nothing (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html).
READ_ACTIONS = ("DetectStackDrift", "DetectStackResourceDrift")

# Other settings POST /_emulator/config accepts, with what they control.
SETTINGS = {
    "global_switchover_seconds": "duration of SwitchoverGlobalCluster (default 1)",
    "global_failover_seconds": "duration of FailoverGlobalCluster with AllowDataLoss (default 1)",
    "global_resync_seconds": "after a failover, until the old primary is a connected secondary (default 1)",
    # the three job durations are read when a job is read: a test holds a job running, then releases it
    "backup_job_seconds": "AWS Backup jobs run this long before COMPLETED (default 0)",
    "copy_job_seconds": "AWS Backup copy jobs run this long (default 0)",
    "restore_job_seconds": "AWS Backup restore jobs run this long (default 0)",
    "backup_faults": '{"backup|copy|restore:<fnmatch of resource ARN>": "StatusMessage"}: such jobs end FAILED',
    "s3_replication_latency_seconds": "ReplicationLatency published for replicated buckets (default 5)",
    "s3_replication_failed_operations": "OperationsFailedReplication published for replicated buckets (default 0)",
    "databases": '"postgresql": Aurora clusters created afterwards get a real local PostgreSQL server (databases.py)',
    "replication_lag_ms": "AuroraGlobalDB*Lag published for secondaries: a number, or {fnmatch of cluster id: ms}",
    "first_lag_datapoint_seconds": "a new secondary's first lag datapoint comes this long after its switch (default 3)",
    "page_size": 'most items a page of the lists paging.py pages: a number, or {"service.Action": n} (tests)',
    "collection_page_size": "page_size for the collection's calls only (playbook runs, its Lambda functions): a "
    'number, or {"service.Action": n, "*": n for the others}',
}

# Signing names that differ from botocore's service model names.
SIGNING_TO_SERVICE = {"monitoring": "cloudwatch", "email": "ses", "states": "stepfunctions"}

# Settings a server starts with and returns to on every reset: EMULATOR_PAGE_SIZE=1 pages every paged list one
# item a page for the collection's own calls (collection_page_size) for a whole test run - the pytest plugin's test
# mode; the tests' own reads get AWS's page sizes, and a test may set page_size for every caller.
PAGE_SIZE_ENV = "EMULATOR_PAGE_SIZE"
# A stack's events are the exception, 5 a page: the stack plugin reads them newest first on every poll while a stack
# changes, so one a page was 254 of a deploy's 295 calls (3 s of CPU, a sixth of it). A stack's operation makes 20
# to 60 events, so its reads still cross pages; tests/integration/test_page_size_one.py reads them one a page.
DEFAULT_SETTINGS: dict[str, Any] = (
    {
        "collection_page_size": {
            "*": int(os.environ[PAGE_SIZE_ENV]),
            "cloudformation.DescribeStackEvents": max(5, int(os.environ[PAGE_SIZE_ENV])),
        }
    }
    if os.environ.get(PAGE_SIZE_ENV, "0") not in ("", "0")
    else {}
)
# Callers whose calls are the collection's: its playbook runs and the Lambda functions its templates deploy.
COLLECTION_CALLERS = ("ansible", "lambda")
# The request being answered, for the handlers of its thread (the server is threaded): its caller.
REQUEST = threading.local()

# Every operation answered since the server started, by caller (resets keep it): what the collection calls,
# for the fidelity report (GET /_emulator/actions). The caller is the SDK's app id in the User-Agent
# (``AWS_SDK_UA_APP_ID``: "ansible" for playbook runs, "lambda" for the functions of stacks, "test-lambda" for
# functions a test created), else "test".
ACTIONS: dict[str, dict[str, int]] = {}
_APP_ID = re.compile(r"(?:^|\s)app/([\w.-]+)")


def _caller(environ: dict[str, Any]) -> str:
    agent = environ.get("HTTP_USER_AGENT", "")
    match = _APP_ID.search(agent)
    if match:
        return match.group(1)
    return "ansible" if "Ansible/" in agent or "ai_model_registry.infra" in agent else "test"


@dataclass
class Fault:
    reason: str
    resource: str | None = None
    type: str | None = None
    stack: str | None = None
    during: str = "create"  # "create": the resource fails to create; "rollback": it fails to roll back

    def matches(self, stack_name: str, logical_id: str, resource_type: str) -> bool:
        if self.stack and not fnmatch.fnmatchcase(stack_name, self.stack):
            return False
        if self.resource and self.resource != logical_id:
            return False
        if self.type and self.type != resource_type:
            return False
        return bool(self.resource or self.type)


@dataclass
class ControlState:
    stack_latency: dict[str, float] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    throttle: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    log: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    rng: random.Random = field(default_factory=random.Random)

    def reset(self) -> None:
        with self.lock:
            self.stack_latency = {}
            self.faults = []
            self.throttle = {}
            self.settings = dict(DEFAULT_SETTINGS)
            self.log = []
            self.rng = random.Random()

    def latency_for(self, stack_name: str) -> float:
        best = 0.0
        for pattern, seconds in self.stack_latency.items():
            if fnmatch.fnmatchcase(stack_name, pattern):
                best = max(best, float(seconds))
        return best

    def fault_for(self, stack_name: str, logical_id: str, resource_type: str, during: str = "create") -> Fault | None:
        for fault in self.faults:
            if fault.during == during and fault.matches(stack_name, logical_id, resource_type):
                return fault
        return None

    def should_throttle(self, service: str, action: str) -> bool:
        spec = self.throttle
        if not spec or not (spec.get("rate") or spec.get("count")):
            return False
        if spec.get("services") and service not in spec["services"]:
            return False
        if spec.get("actions") and action not in spec["actions"]:
            return False
        with self.lock:
            if spec.get("count"):  # the next `count` matching calls, deterministically
                spec["count"] -= 1
                return True
            return self.rng.random() < float(spec.get("rate") or 0)

    def summary(self) -> dict[str, Any]:
        with self.lock:
            log = list(self.log)
        by_action: dict[str, int] = {}
        for entry in log:
            key = f"{entry['service']}.{entry['action']}"
            by_action[key] = by_action.get(key, 0) + 1
        writes = [e for e in log if e["write"] and not e["throttled"]]
        return {
            "total": len(log),
            "writes": len(writes),
            "throttled": sum(1 for e in log if e["throttled"]),
            "by_action": dict(sorted(by_action.items())),
            "log": log,
        }


STATE = ControlState()

# Called on every reset, after moto's: extensions that hold more than moto's state (databases.py).
RESET_HOOKS: list = []
# Called after POST /_emulator/config changed settings (databases.py applies a new lag).
SETTINGS_HOOKS: list = []


def run_reset_hooks() -> None:
    for hook in RESET_HOOKS:
        hook()


class _OperationIndex:
    """Maps an HTTP request to its API operation name with botocore's own service models."""

    def __init__(self) -> None:
        self._session = botocore.session.get_session()
        self._rest: dict[str, list[tuple[str, re.Pattern[str], str]]] = {}
        self._protocol: dict[str, str] = {}
        self._lock = threading.Lock()

    def _model(self, service: str):
        return self._session.get_service_model(SIGNING_TO_SERVICE.get(service, service))

    def protocol(self, service: str) -> str:
        if service not in self._protocol:
            try:
                self._protocol[service] = self._model(service).metadata["protocol"]
            except Exception:  # noqa: BLE001 - unknown service: treat as query
                self._protocol[service] = "query"
        return self._protocol[service]

    def rest_operation(
        self, service: str, method: str, path: str, query: str, headers: dict[str, str] | None = None
    ) -> str:
        with self._lock:
            if service not in self._rest:
                routes = []
                model = self._model(service)
                for name in model.operation_names:
                    operation = model.operation_model(name)
                    http = operation.http
                    uri = http.get("requestUri", "/")
                    uri_path, _separator, uri_query = uri.partition("?")
                    pattern = re.sub(r"\\\{[^}]+\\\+\\\}", "(.+)", re.escape(uri_path))
                    pattern = re.sub(r"\\\{[^}]+\\\}", "([^/]+)", pattern)
                    # Required members that travel in a header or the query string tell apart operations of one
                    # method and path (S3: CopyObject needs x-amz-copy-source, PutObject does not).
                    members = operation.input_shape.members if operation.input_shape else {}
                    required = [
                        (members[m].serialization["location"], members[m].serialization.get("name", m).lower())
                        for m in (operation.input_shape.required_members if operation.input_shape else [])
                        if members[m].serialization.get("location") in ("header", "querystring")
                    ]
                    routes.append((http.get("method", "POST"), re.compile(f"^{pattern}/?$"), name, uri_query, required))
                # Longest literal first: /a/b/{x} beats /a/{y}/{z}
                routes.sort(key=lambda r: -len(r[1].pattern.replace("([^/]+)", "")))
                self._rest[service] = routes
        present = {("querystring", k.lower()) for k in parse_qs(query, keep_blank_values=True)}
        present |= {("header", k.lower()) for k in (headers or {})}
        fallback, best = None, -1
        for route_method, regex, name, uri_query, required in self._rest[service]:
            if route_method != method or not regex.match(path):
                continue
            if uri_query:
                key = uri_query.split("=")[0].split("&")[0]
                if key in parse_qs(query, keep_blank_values=True):
                    return name
                continue
            if all(need in present for need in required) and len(required) > best:
                fallback, best = name, len(required)
        return fallback or f"{method} {path}"


OPERATIONS = _OperationIndex()

_CREDENTIAL = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/aws4_request")


def _identify(environ: dict[str, Any], body: bytes) -> tuple[str, str, str]:
    """(service, action, region) of an AWS request, from its signature and body."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    region, service = (match.group(1), match.group(2)) if match else ("", "unknown")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return service, target.rsplit(".", 1)[-1], region
    protocol = OPERATIONS.protocol(service)
    if protocol in ("query", "ec2"):
        params = parse_qs(body.decode("utf-8", "replace")) if body else {}
        params.update(parse_qs(environ.get("QUERY_STRING", "")))
        return service, params.get("Action", ["unknown"])[0], region
    headers = {k[5:].replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
    action = OPERATIONS.rest_operation(
        service,
        environ.get("REQUEST_METHOD", "GET"),
        environ.get("PATH_INFO", "/"),
        environ.get("QUERY_STRING", ""),
        headers,
    )
    return service, action, region


def _throttle_response(service: str, environ: dict[str, Any], start_response) -> list[bytes]:
    """A throttling error with the service's own code, in the protocol the client spoke (throttling.py)."""
    from emulator.aws import throttling

    status, headers, body = throttling.answer(service, environ)
    start_response(status, headers)
    return [body]


def _json_response(start_response, payload: Any, status: str = "200 OK") -> list[bytes]:
    body = json.dumps(payload, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class ControlMiddleware:
    """Wraps moto's WSGI app: serves /_emulator/*, logs every AWS call, injects throttling."""

    def __init__(self, app, reset_backends) -> None:
        self.app = app
        self.reset_backends = reset_backends

    def __call__(self, environ: dict[str, Any], start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_emulator/"):
            return self._control(environ, start_response, path)
        if path.startswith("/moto-api"):
            if path.rstrip("/") == "/moto-api/reset":
                STATE.reset()  # moto's own reset also clears our test controls
                run_reset_hooks()
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, action, region = _identify(environ, body)
        throttled = STATE.should_throttle(service, action)
        with STATE.lock:
            callers = ACTIONS.setdefault(f"{SIGNING_TO_SERVICE.get(service, service)}.{action}", {})
            caller = REQUEST.caller = _caller(environ)
            callers[caller] = callers.get(caller, 0) + 1
            STATE.log.append(
                {
                    "time": time.time(),
                    "service": service,
                    "action": action,
                    "region": region,
                    "write": not (action.startswith(READ_PREFIXES) or action in READ_ACTIONS),
                    "throttled": throttled,
                }
            )
        if throttled:
            return _throttle_response(service, environ, start_response)
        if CHECKER.enabled or CHECKER.corruptions:
            return self._checked(environ, start_response, service, action)
        return self.app(environ, start_response)

    def _checked(self, environ, start_response, service: str, action: str):
        """The answer, judged by botocore's output shape of its operation (shapes.py) before it is sent."""
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return lambda data: captured.setdefault("written", []).append(data)

        answer = self.app(environ, capture)
        try:
            body = b"".join([*captured.get("written", []), *answer])
        finally:
            if hasattr(answer, "close"):
                answer.close()
        status, headers = captured["status"], captured["headers"]
        if CHECKER.corruptions:
            corrupted = CHECKER.corrupt(service, action, body)
            if corrupted != body:
                body = corrupted
                headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                headers.append(("Content-Length", str(len(body))))
        if CHECKER.enabled:
            try:
                CHECKER.check(service, action, int(status.split()[0]), dict(headers), body, environ)
            except Exception as error:  # noqa: BLE001 - a checker bug must be seen, not break the answer
                CHECKER.record(f"{service}.{action}", "(checker)", repr(error))
        start_response(status, headers)
        return [body]

    def _control(self, environ, start_response, path: str):
        method = environ.get("REQUEST_METHOD", "GET")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        payload = json.loads(raw) if raw.strip() else {}
        if path == "/_emulator/health":
            return _json_response(start_response, {"status": "ok"})
        if path == "/_emulator/reset" and method == "POST":
            self.reset_backends()
            STATE.reset()
            run_reset_hooks()
            return _json_response(start_response, {"reset": True})
        if path == "/_emulator/config":
            if method == "POST":
                with STATE.lock:
                    if "stack_latency" in payload:
                        STATE.stack_latency = {k: float(v) for k, v in payload["stack_latency"].items()}
                    if "throttle" in payload:
                        STATE.throttle = dict(payload["throttle"] or {})
                        STATE.rng = random.Random(STATE.throttle.get("seed"))
                    if "response_shapes" in payload:
                        CHECKER.enabled = bool(payload["response_shapes"])
                    unknown = set(payload) - {"stack_latency", "throttle", "response_shapes"} - set(SETTINGS)
                    if unknown:
                        return _json_response(
                            start_response, {"error": f"unknown settings {sorted(unknown)}"}, "400 Bad Request"
                        )
                    STATE.settings.update({k: v for k, v in payload.items() if k in SETTINGS})
                for hook in SETTINGS_HOOKS:
                    hook()
            return _json_response(
                start_response,
                {
                    "stack_latency": STATE.stack_latency,
                    "throttle": STATE.throttle,
                    "response_shapes": CHECKER.enabled,
                    **STATE.settings,
                },
            )
        if path == "/_emulator/faults":
            if method == "POST":
                if (
                    not payload.get("reason")
                    or not (payload.get("resource") or payload.get("type"))
                    or payload.get("during", "create") not in ("create", "rollback")
                ):
                    return _json_response(
                        start_response, {"error": "reason and resource or type are required"}, "400 Bad Request"
                    )
                STATE.faults.append(
                    Fault(
                        reason=payload["reason"],
                        resource=payload.get("resource"),
                        type=payload.get("type"),
                        stack=payload.get("stack"),
                        during=payload.get("during", "create"),
                    )
                )
            elif method == "DELETE":
                STATE.faults = []
            return _json_response(start_response, [f.__dict__ for f in STATE.faults])
        if path == "/_emulator/actions":
            with STATE.lock:
                seen = {name: dict(callers) for name, callers in sorted(ACTIONS.items())}
            return _json_response(start_response, {"actions": seen, **CHECKER.by_operation_summary()})
        if path == "/_emulator/violations":
            return _json_response(start_response, CHECKER.take(clear=method == "DELETE"))
        if path == "/_emulator/corrupt" and method == "POST":
            if not payload.get("operation") or not payload.get("member"):
                return _json_response(start_response, {"error": "operation and member are required"}, "400 Bad Request")
            pending = CHECKER.add_corruption(
                payload["operation"], payload["member"], payload.get("value"), payload.get("rename")
            )
            return _json_response(start_response, pending)
        if path == "/_emulator/requests":
            if method == "DELETE":
                with STATE.lock:
                    STATE.log = []
            return _json_response(start_response, STATE.summary())
        return _json_response(start_response, {"error": f"unknown control path {path}"}, "404 Not Found")
