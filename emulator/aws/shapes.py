"""Every answer of the AWS emulator judged by botocore's service model of its operation (test mode).

The emulator and the collection were written side by side: where both share a wrong belief about AWS,
tests pass and a real account breaks. botocore's service models are AWS's own machine-readable API
definitions (the same JSON the SDKs are generated from), so an answer is checked against something
neither was written from:

- the body is parsed by botocore's own parser of the service's protocol (``botocore.parsers``: query,
  ec2, json, rest-json, rest-xml), as a boto3 client would parse it, against the operation's
  ``output_shape`` (``session.get_service_model(service).operation_model(action).output_shape``);
- then every member is checked: structures carry their ``required`` members; scalars have the wire type
  of their shape (``integer`` digits, ``boolean`` true/false, JSON types in JSON protocols); strings of
  an ``enum`` shape are one of its values; timestamps are in the format the protocol or the member's
  ``timestampFormat`` prescribes (botocore/data/<service>/<version>/service-2.json; the protocols:
  https://smithy.io/2.0/aws/protocols/ - ``iso8601`` with a time zone in XML bodies, epoch seconds in
  JSON bodies, RFC 822 ``GMT`` in headers); a member that looks like a pagination token
  (``NextToken``, ``Marker`` ...) and is not a member of the shape is reported (a client following the
  model's name would never see it: ElastiCache pages with ``Marker``, not ``NextToken``).

Violations are recorded with the operation and the path of the bad member (``Stacks[0].StackStatus``)
and read (and cleared) at ``GET|DELETE /_emulator/violations``; the pytest fixtures fail the test that
caused them. The check runs in the one place every answer passes through, the control middleware
(control.py), not per service. It is on when the emulator starts with ``EMULATOR_RESPONSE_SHAPES=1`` (the
pytest plugin starts it so) or after ``POST /_emulator/config {"response_shapes": true}``.

ALLOWED lists what is known and accepted, each with its reason; nothing else is left out.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore import parsers

ENV = "EMULATOR_RESPONSE_SHAPES"

# Known differences, accepted with their reason: (operation fnmatch "service.Action", path fnmatch, reason).
# An entry here is a decision, not an oversight: remove it when the emulator is fixed.
ALLOWED: tuple[tuple[str, str, str], ...] = (
    (
        "route53.CreateHostedZone",
        "DelegationSet",
        "a private hosted zone has no name servers (GetHostedZone shows an empty DelegationSet, aws/aws-cli#1289); "
        "moto leaves the element out. Only tests create zones (the custom domain's zone is a prerequisite)",
    ),
)

_TOKEN_NAME = re.compile(r"^(Next)?(Token|Marker|PageToken|ContinuationToken|PaginationToken)$", re.IGNORECASE)
_ISO8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$")
_RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d\d:\d\d:\d\d GMT$"
)
_INTEGER = re.compile(r"^-?\d+$")
_SCALARS = {"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob", "character"}
_XML_PROTOCOLS = {"query", "ec2", "rest-xml"}
# Signing names that differ from botocore's service model names.
SIGNING_TO_SERVICE = {"monitoring": "cloudwatch", "email": "ses", "states": "stepfunctions", "execute-api": ""}


@dataclass
class Leaf:
    """A scalar as it came over the wire, with the shape botocore parsed it by."""

    shape: Any
    raw: Any
    error: str | None = None
    where: str = "body"  # body | header | statusCode

    __hash__ = object.__hash__  # map keys are Leaves too


class Struct(dict):
    """A parsed structure that remembers the member names of the answer the shape does not know."""

    unknown: tuple[str, ...] = ()


class _Recording:
    """Mixin for botocore's parsers: scalars come back as Leaves (raw value and shape), containers are
    type-checked before botocore walks them, unknown member names are kept."""

    _json_body = False

    def _parse_shape(self, shape, node):
        type_name = shape.type_name
        location = shape.serialization.get("location")
        where = "header" if location == "header" else "statusCode" if location == "statusCode" else "body"
        if type_name in _SCALARS:
            raw = node.text or "" if hasattr(node, "text") else node
            if isinstance(node, list) and not self._json_body:
                return Leaf(shape, node, "repeated element where one value is expected", where)
            if shape.serialization.get("streaming") or shape.serialization.get("jsonvalue"):
                return Leaf(shape, None, None, "payload")
            return Leaf(shape, raw, None, where)
        if self._json_body and where == "body":
            expected = dict if type_name in ("structure", "map") else list if type_name == "list" else None
            if expected and not isinstance(node, expected):
                return Leaf(shape, node, f"expected a JSON {expected.__name__}, got {type(node).__name__}")
        try:
            return super()._parse_shape(shape, node)
        except Exception as error:  # noqa: BLE001 - what a client would fail on
            return Leaf(shape, None, f"botocore cannot parse it: {error}")

    def _handle_structure(self, shape, node):
        parsed = Struct(super()._handle_structure(shape, node) or {})
        if shape.is_document_type:
            return parsed
        if self._json_body:
            names = set(node) if isinstance(node, dict) else set()
        else:
            names = set(self._build_name_to_xml_node(node)) if not isinstance(node, str) else set()
        known = {m.serialization.get("name", n) for n, m in shape.members.items()}
        known |= {self._member_key_name(m, n) for n, m in shape.members.items()} if not self._json_body else set()
        parsed.unknown = tuple(sorted(names - known))
        return parsed


class _Query(_Recording, parsers.QueryParser):
    pass


class _EC2(_Recording, parsers.EC2QueryParser):
    pass


class _JSON(_Recording, parsers.JSONParser):
    _json_body = True


class _RestJSON(_Recording, parsers.RestJSONParser):
    _json_body = True


class _RestXML(_Recording, parsers.RestXMLParser):
    pass


PARSERS = {"query": _Query, "ec2": _EC2, "json": _JSON, "rest-json": _RestJSON, "rest-xml": _RestXML}


def request_protocol(model, request: dict[str, str]) -> str:
    """The protocol the client spoke, so the one it parses the answer with: botocore picks the first of the
    model's ``protocols`` it supports (``ServiceModel.resolved_protocol``: CloudWatch is spoken as ``json``
    by this botocore, as ``query`` by older clients such as AWS CLI v1)."""
    protocols = model.metadata.get("protocols") or [model.metadata["protocol"]]
    if request.get("HTTP_SMITHY_PROTOCOL"):
        return "smithy-rpc-v2-cbor"
    if request.get("HTTP_X_AMZ_TARGET") and "json" in protocols:
        return "json"
    if "query" in protocols and model.resolved_protocol not in ("rest-json", "rest-xml"):
        return "query"
    return model.resolved_protocol


def _timestamp_format(shape, protocol: str, where: str) -> str:
    explicit = shape.serialization.get("timestampFormat")
    if explicit:
        return explicit
    if where == "header":
        return "rfc822"
    return "iso8601" if protocol in _XML_PROTOCOLS else "unixTimestamp"


def _check_leaf(leaf: Leaf, protocol: str) -> str | None:
    """What is wrong with one scalar, or None."""
    if leaf.error:
        return leaf.error
    shape, raw, where = leaf.shape, leaf.raw, leaf.where
    if where == "payload":
        return None
    kind = shape.type_name
    text_wire = where in ("header",) or (where == "body" and protocol in _XML_PROTOCOLS)
    if where == "statusCode":
        return None if isinstance(raw, int) else f"status code {raw!r} is not an integer"
    if kind == "timestamp":
        fmt = _timestamp_format(shape, protocol, where)
        if fmt == "unixTimestamp":
            ok = (isinstance(raw, int | float) and not isinstance(raw, bool)) or (
                text_wire and isinstance(raw, str) and re.match(r"^-?\d+(\.\d+)?$", raw)
            )
        elif fmt == "iso8601":
            ok = isinstance(raw, str) and _ISO8601.match(raw)
        else:
            ok = isinstance(raw, str) and _RFC822.match(raw)
        return None if ok else f"timestamp {raw!r} is not in the {fmt} format"
    if text_wire:
        if not isinstance(raw, str):
            return f"{kind} {raw!r} is not text"
        if kind in ("integer", "long") and not _INTEGER.match(raw):
            return f"{kind} {raw!r} is not an integer"
        if kind in ("float", "double"):
            try:
                float(raw)
            except ValueError:
                return f"{kind} {raw!r} is not a number"
        if kind == "boolean" and raw not in ("true", "false"):
            return f"boolean {raw!r} is not true or false"
    else:
        if kind in ("string", "character", "blob") and not isinstance(raw, str):
            return f"{kind} {raw!r} is a JSON {type(raw).__name__}, not a string"
        if kind in ("integer", "long") and (isinstance(raw, bool) or not isinstance(raw, int)):
            return f"{kind} {raw!r} is a JSON {type(raw).__name__}, not an integer"
        if kind in ("float", "double") and (
            isinstance(raw, bool) or not (isinstance(raw, int | float) or raw in ("NaN", "Infinity", "-Infinity"))
        ):
            return f"{kind} {raw!r} is a JSON {type(raw).__name__}, not a number"
        if kind == "boolean" and not isinstance(raw, bool):
            return f"boolean {raw!r} is a JSON {type(raw).__name__}, not true or false"
    if kind == "blob" and where == "body":
        try:
            base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return f"blob {raw[:40]!r} is not base64"
    if kind == "string" and shape.enum and raw not in shape.enum:
        return f"{raw!r} is not one of the enum {shape.name}: {', '.join(shape.enum)}"
    return None


def _walk(value: Any, shape, path: str, protocol: str, found: list[tuple[str, str]]) -> None:
    if isinstance(value, Leaf):
        problem = _check_leaf(value, protocol)
        if problem:
            found.append((path or "(answer)", problem))
        return
    if value is None:
        return
    if shape.type_name == "structure":
        if not isinstance(value, dict):
            found.append((path or "(answer)", f"expected a structure {shape.name}"))
            return
        for name in shape.required_members:
            if name not in value or value[name] is None:
                found.append((_join(path, name), f"required member of {shape.name} is missing"))
        for name in getattr(value, "unknown", ()):
            if _TOKEN_NAME.match(name):
                tokens = [n for n, m in shape.members.items() if _TOKEN_NAME.match(m.serialization.get("name", n))]
                found.append(
                    (
                        _join(path, name),
                        f"pagination token {name!r} is not a member of {shape.name}"
                        + (f" (the model names {', '.join(tokens)})" if tokens else " (the model has no token here)"),
                    )
                )
        for name, member in shape.members.items():
            if name in value:
                _walk(value[name], member, _join(path, name), protocol, found)
    elif shape.type_name == "list":
        for index, item in enumerate(value if isinstance(value, list) else []):
            _walk(item, shape.member, f"{path}[{index}]", protocol, found)
    elif shape.type_name == "map":
        for key, item in value.items() if isinstance(value, dict) else []:
            label = key.raw if isinstance(key, Leaf) else key
            _walk(key, shape.key, f"{path}{{key {label!r}}}", protocol, found)
            _walk(item, shape.value, f"{path}[{label!r}]", protocol, found)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class ShapeChecker:
    """Checks answers and keeps the violations; thread-safe (the server is threaded)."""

    def __init__(self) -> None:
        self.enabled = os.environ.get(ENV, "") not in ("", "0", "false")
        self.violations: list[dict[str, Any]] = []
        self.checked = 0
        self.seconds = 0.0  # spent checking: the cost of test mode
        self.corruptions: list[dict[str, Any]] = []
        self.skipped: dict[str, str] = {}  # operations answered but not checked, and why
        self.paginable: dict[str, int] = {}  # answers of operations botocore can paginate, by operation
        self.by_operation: dict[str, int] = {}  # answers checked, by operation (the fidelity report)
        self._paginators: dict[tuple[str, str], bool] = {}
        self._lock = threading.Lock()
        self._session = botocore.session.get_session()
        self._models: dict[str, Any] = {}

    # -- the model -------------------------------------------------------------------------------------
    def model(self, service: str):
        name = SIGNING_TO_SERVICE.get(service, service)
        if name not in self._models:
            try:
                self._models[name] = self._session.get_service_model(name) if name else None
            except Exception:  # noqa: BLE001 - a signing name botocore does not know
                self._models[name] = None
        return self._models[name]

    # -- what the middleware calls --------------------------------------------------------------------
    def check(
        self, service: str, action: str, status: int, headers: dict[str, str], body: bytes, request: dict[str, str]
    ) -> list[dict]:
        """Validate one answer (``request``: the request's WSGI environ); record and return its violations."""
        started = time.perf_counter()
        try:
            return self._check(service, action, status, headers, body, request)
        finally:
            elapsed = time.perf_counter() - started
            with self._lock:
                self.seconds += elapsed

    def _check(self, service, action, status, headers, body, request) -> list[dict]:
        model = self.model(service)
        if status >= 300:
            return []
        if model is None or action not in model.operation_names:
            self._skip(f"{service}.{action}", "botocore has no such operation")
            return []
        operation = model.operation_model(action)
        shape = operation.output_shape
        protocol = request_protocol(model, request)
        if self._paginable(model, action):
            with self._lock:
                key = f"{model.service_name}.{action}"
                self.paginable[key] = self.paginable.get(key, 0) + 1
        if shape is None and protocol in PARSERS:  # nothing to check but that it is a success: counted as checked
            with self._lock:
                self.checked += 1
                key = f"{model.service_name}.{action}"
                self.by_operation[key] = self.by_operation.get(key, 0) + 1
            return []
        if protocol not in PARSERS:
            self._skip(f"{model.service_name}.{action}", protocol)
            return []
        found: list[tuple[str, str]] = []
        parser = PARSERS[protocol]()
        payload = shape.serialization.get("payload")
        if payload and shape.members[payload].type_name in ("string", "blob"):
            body = b""  # a streamed payload (GetObject's Body) is the object's bytes, not a shape: a client streams it
        response = {"status_code": status, "headers": _Headers(headers), "body": body}
        try:
            parsed = parser.parse(response, shape)
        except Exception as error:  # noqa: BLE001 - what botocore itself would raise to a client
            found.append(("(answer)", f"botocore cannot parse it: {error}"))
        else:
            _walk(parsed, shape, "", protocol, found)
        operation_name = f"{model.service_name}.{action}"
        violations = [
            {"operation": operation_name, "path": path, "problem": problem}
            for path, problem in found
            if not _allowed(operation_name, path)
        ]
        with self._lock:
            self.checked += 1
            self.by_operation[operation_name] = self.by_operation.get(operation_name, 0) + 1
            self.violations.extend(violations)
        return violations

    def corrupt(self, service: str, action: str, body: bytes) -> bytes:
        """Apply a pending corruption (POST /_emulator/corrupt) to this answer, once."""
        model = self.model(service)
        operation_name = f"{model.service_name if model else service}.{action}"
        with self._lock:
            for index, spec in enumerate(self.corruptions):
                if fnmatch.fnmatchcase(operation_name, spec["operation"]):
                    del self.corruptions[index]
                    break
            else:
                return body
        return _corrupted(body, spec["member"], spec.get("value"), spec.get("rename"))

    def _paginable(self, model, action: str) -> bool:
        """botocore has a paginator for the operation (paginators-1.json): clients may page through it."""
        key = (model.service_name, action)
        if key not in self._paginators:
            try:
                paginators = self._session.get_paginator_model(model.service_name, model.api_version)
                paginators.get_paginator(action)
                self._paginators[key] = True
            except Exception:  # noqa: BLE001 - no paginator model, or none for this operation
                self._paginators[key] = False
        return self._paginators[key]

    def _skip(self, operation: str, why: str) -> None:
        with self._lock:
            self.skipped[operation] = why

    def record(self, operation: str, path: str, problem: str) -> None:
        with self._lock:
            self.violations.append({"operation": operation, "path": path, "problem": problem})

    def add_corruption(
        self, operation: str, member: str, value: str | None, rename: str | None = None
    ) -> list[dict[str, Any]]:
        with self._lock:
            self.corruptions.append({"operation": operation, "member": member, "value": value, "rename": rename})
            return list(self.corruptions)

    def by_operation_summary(self) -> dict[str, Any]:
        """Answers checked and operations skipped, by operation, since the server started."""
        with self._lock:
            return {"checked": dict(sorted(self.by_operation.items())), "skipped": dict(self.skipped)}

    def take(self, clear: bool) -> dict[str, Any]:
        with self._lock:
            answer = {
                "enabled": self.enabled,
                "checked": self.checked,
                "seconds": round(self.seconds, 3),
                "skipped": dict(self.skipped),
                "paginable": dict(sorted(self.paginable.items())),
                "violations": list(self.violations),
            }
            if clear:
                self.violations = []
        return answer


class _Headers(dict):
    """Header lookups as botocore's (case-insensitive) response headers."""

    def __init__(self, headers) -> None:
        super().__init__((k.lower(), v) for k, v in dict(headers).items())

    def __contains__(self, key) -> bool:
        return super().__contains__(str(key).lower())

    def __getitem__(self, key):
        return super().__getitem__(str(key).lower())

    def get(self, key, default=None):
        return super().get(str(key).lower(), default)


def _allowed(operation: str, path: str) -> bool:
    return any(fnmatch.fnmatchcase(operation, op) and fnmatch.fnmatchcase(path, p) for op, p, _ in ALLOWED)


def _corrupted(body: bytes, member: str, value: str | None, rename: str | None = None) -> bytes:
    """The body with the first ``member`` replaced by ``value`` (removed when None), or renamed ``rename``."""
    is_json = body.lstrip().startswith(b"{")  # the wire format as sent (CloudWatch speaks JSON or XML)
    if rename:
        if is_json:
            return re.sub(rf'"{re.escape(member)}"\s*:', f'"{rename}":', body.decode(), count=1).encode()
        text = re.sub(
            rf"<{re.escape(member)}>(.*?)</{re.escape(member)}>",
            rf"<{rename}>\1</{rename}>",
            body.decode(),
            count=1,
            flags=re.DOTALL,
        )
        return text.encode()
    if is_json:
        data = json.loads(body or b"{}")

        def visit(node) -> bool:
            if isinstance(node, dict):
                if member in node:
                    if value is None:
                        del node[member]
                    else:
                        node[member] = value
                    return True
                return any(visit(v) for v in node.values())
            if isinstance(node, list):
                return any(visit(v) for v in node)
            return False

        visit(data)
        return json.dumps(data).encode()
    text = body.decode("utf-8")
    pattern = re.compile(rf"<{re.escape(member)}>.*?</{re.escape(member)}>|<{re.escape(member)}\s*/>", re.DOTALL)
    replacement = "" if value is None else f"<{member}>{value}</{member}>"
    return pattern.sub(lambda _m: replacement, text, count=1).encode()


CHECKER = ShapeChecker()
