"""A Kubernetes API emulator built on kmock, for the objects this collection manages.

kmock (``KubernetesEmulator`` + ``Server``) brings the HTTP server, API discovery and the
``Status`` error format. Where it falls short of a real API server, this module extends it:

- paths of cluster-scoped resources (``/api/v1/namespaces[/name]``) are parsed correctly;
- objects get ``uid``, ``creationTimestamp`` and a ``resourceVersion`` that changes only when the
  object changes; lists carry ``kind``/``apiVersion``; label and field selectors filter lists;
- Secrets: ``stringData`` is merged into base64 ``data`` and dropped, ``data`` must be base64,
  ``type`` defaults to ``Opaque``; a namespaced object needs its Namespace (404 otherwise);
- create (409 AlreadyExists), replace (PUT, 409 Conflict on a stale resourceVersion), JSON merge
  patch, strategic merge patch (maps merge; lists are replaced), JSON patch, server-side apply
  (as a merge), delete (deleting a Namespace deletes its objects);
- Deployments: ``metadata.generation`` follows spec changes and the rollout completes at once
  (``status`` reports every replica updated and ready), so a restart can be waited for.

Run as ``python -m emulator.k8s --port-file FILE``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import copy
import datetime
import json
import os
import pathlib
import uuid
from typing import Any

import aiohttp.web
import attrs
import jsonpatch
import kmock
from kmock._internal import parsing

# --- kmock fix: cluster-scoped paths ---------------------------------------------------------------

_original_parse_path = parsing.parse_path


def parse_path(path: str) -> parsing.ParsedPath:
    """``/api/v1/namespaces`` and ``/api/v1/namespaces/x`` name the namespaces resource itself."""
    parts = path.strip("/").split("/")
    prefix = 2 if parts[:1] == ["api"] else 3 if parts[:1] == ["apis"] else None
    if prefix is not None and len(parts) in (prefix + 1, prefix + 2) and parts[prefix] == "namespaces":
        group = "" if prefix == 2 else parts[1]
        version = parts[prefix - 1]
        name = parts[prefix + 1] if len(parts) == prefix + 2 else None
        return parsing.ParsedPath(group, version, "namespaces", None, name, None)
    return _original_parse_path(path)


parsing.parse_path = parse_path

# --- the resources served ---------------------------------------------------------------------------

VERBS = ["create", "delete", "get", "list", "patch", "update"]
RESOURCES: dict[str, dict[str, Any]] = {
    "v1/namespaces": {"kind": "Namespace", "singular": "namespace", "namespaced": False, "shortnames": ["ns"]},
    "v1/secrets": {"kind": "Secret", "singular": "secret", "namespaced": True},
    "v1/configmaps": {"kind": "ConfigMap", "singular": "configmap", "namespaced": True, "shortnames": ["cm"]},
    "apps/v1/deployments": {
        "kind": "Deployment",
        "singular": "deployment",
        "namespaced": True,
        "shortnames": ["deploy"],
        "subresources": ["status", "scale"],
    },
}
SEED_NAMESPACES = ("default", "kube-system", "kube-public")


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}


def _status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> aiohttp.web.Response:
    return aiohttp.web.json_response(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure" if code >= 400 else "Success",
            "message": message,
            "reason": reason,
            "details": details or {},
            "code": code,
        },
        status=code,
    )


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (null deletes a key)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _matches_labels(obj: dict[str, Any], selector: str) -> bool:
    labels = obj.get("metadata", {}).get("labels") or {}
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def _matches_fields(obj: dict[str, Any], selector: str) -> bool:
    meta = obj.get("metadata", {})
    for term in filter(None, (t.strip() for t in selector.split(","))):
        key, value = term.replace("==", "=").split("=", 1)
        actual = {"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace")}.get(key)
        if actual != value:
            return False
    return True


@attrs.define(kw_only=True)
class KubernetesApiServer(kmock.KubernetesEmulator):
    """kmock's emulator with the object semantics of a real API server (see the module docstring)."""

    _store: dict[tuple[str, str | None, str], dict[str, Any]] = attrs.field(factory=dict, init=False)
    _revision: int = attrs.field(default=0, init=False)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        for key, info in RESOURCES.items():
            self.resources[key] = kmock.ResourceInfo(verbs=VERBS, **info)
        self.reset()

    def reset(self) -> None:
        self._store.clear()
        self._requests.clear()
        for name in SEED_NAMESPACES:
            self._put("v1/namespaces", None, self._normalize("v1/namespaces", None, {"metadata": {"name": name}}))

    # -- storage --
    def _put(self, key: str, namespace: str | None, obj: dict[str, Any]) -> dict[str, Any]:
        self._store[(key, namespace, obj["metadata"]["name"])] = obj
        return obj

    def _next_revision(self) -> str:
        self._revision += 1
        return str(self._revision)

    def _normalize(
        self, key: str, namespace: str | None, obj: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        info = RESOURCES[key]
        obj = copy.deepcopy(obj)
        group_version = key.rsplit("/", 1)[0]
        obj["apiVersion"], obj["kind"] = group_version, info["kind"]
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        if not meta.get("name"):
            raise ApiError(422, "Invalid", f"{info['kind']} is invalid: metadata.name: Required value")
        if info["namespaced"]:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        meta.pop("managedFields", None)
        if info["kind"] == "Secret":
            obj["type"] = obj.get("type") or "Opaque"
            data = dict(obj.get("data") or {})
            for name, value in (obj.pop("stringData", None) or {}).items():
                data[name] = base64.b64encode(str(value).encode()).decode()
            for name, value in data.items():
                try:
                    base64.b64decode(value, validate=True)
                except (binascii.Error, TypeError) as exc:
                    raise ApiError(
                        422,
                        "Invalid",
                        f'Secret "{meta["name"]}" is invalid: data[{name}]: Invalid value: illegal base64 data',
                    ) from exc
            obj["data"] = data
        if info["kind"] == "Namespace":
            obj["status"] = {"phase": "Active"}
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
        if previous is not None:
            for field in ("uid", "creationTimestamp"):
                meta[field] = previous["metadata"][field]
            meta["resourceVersion"] = previous["metadata"]["resourceVersion"]
            meta["generation"] = previous["metadata"].get("generation", 1)
            if obj.get("spec") != previous.get("spec"):
                meta["generation"] += 1
        else:
            meta["uid"], meta["creationTimestamp"], meta["generation"] = str(uuid.uuid4()), _now(), 1
        if info["kind"] == "Deployment":
            replicas = obj.setdefault("spec", {}).setdefault("replicas", 1)
            obj["status"] = {
                "observedGeneration": meta["generation"],
                "replicas": replicas,
                "updatedReplicas": replicas,
                "readyReplicas": replicas,
                "availableReplicas": replicas,
                "conditions": [
                    {"type": "Available", "status": "True"},
                    {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
                ],
            }
        comparable = {k: v for k, v in obj.items() if k != "metadata"}
        previous_comparable = {k: v for k, v in (previous or {}).items() if k != "metadata"}
        changed_meta = previous is None or {k: v for k, v in meta.items() if k != "resourceVersion"} != {
            k: v for k, v in previous["metadata"].items() if k != "resourceVersion"
        }
        if previous is None or comparable != previous_comparable or changed_meta:
            meta["resourceVersion"] = self._next_revision()
        return obj

    # -- request handling --
    async def _handle(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        path = request.url.path
        if path == "/_emulator/reset" and request.method.value == "POST":
            self.reset()
            return aiohttp.web.json_response({"reset": True})
        if path == "/_emulator/health":
            return aiohttp.web.json_response({"status": "ok"})
        resource = request.resource
        if resource is None or not resource.plural:
            return await super()._handle(request)  # discovery: /api, /apis, /api/v1, /version
        key = "/".join(p for p in (resource.group, resource.version, resource.plural) if p)
        if key not in RESOURCES:
            return _status(404, "NotFound", f"the server could not find the requested resource ({key})")
        try:
            return await self._serve(request, key)
        except ApiError as exc:
            return _status(exc.code, exc.reason, exc.message, exc.details)

    def _require_namespace(self, key: str, namespace: str | None) -> None:
        if RESOURCES[key]["namespaced"] and ("v1/namespaces", None, namespace) not in self._store:
            raise ApiError(
                404, "NotFound", f'namespaces "{namespace}" not found', {"name": namespace, "kind": "namespaces"}
            )

    def _get(self, key: str, namespace: str | None, name: str) -> dict[str, Any]:
        obj = self._store.get((key, namespace, name))
        if obj is None:
            plural = key.rsplit("/", 1)[-1]
            raise ApiError(404, "NotFound", f'{plural} "{name}" not found', {"name": name, "kind": plural})
        return obj

    async def _serve(self, request: kmock.Request, key: str) -> aiohttp.web.StreamResponse:
        namespace, name = request.namespace, request.name
        method = request.method.value
        dry_run = "dryRun" in request.params
        body = (
            request.data
            if isinstance(request.data, (dict, list))
            else (json.loads(request.text) if request.text.strip() else {})
        )
        if method == "GET" and name is None:
            return self._list(key, namespace, request.params)
        if method == "GET":
            return aiohttp.web.json_response(self._get(key, namespace, name))
        if method == "POST" and name is None:
            namespace = (
                namespace
                or body.get("metadata", {}).get("namespace")
                or ("default" if RESOURCES[key]["namespaced"] else None)
            )
            self._require_namespace(key, namespace)
            obj = self._normalize(key, namespace, body)
            if (key, namespace, obj["metadata"]["name"]) in self._store:
                plural = key.rsplit("/", 1)[-1]
                raise ApiError(
                    409,
                    "AlreadyExists",
                    f'{plural} "{obj["metadata"]["name"]}" already exists',
                    {"name": obj["metadata"]["name"], "kind": plural},
                )
            return aiohttp.web.json_response(obj if dry_run else self._put(key, namespace, obj), status=201)
        if method == "PUT" and name is not None:
            previous = self._get(key, namespace, name)
            wanted = body.get("metadata", {}).get("resourceVersion")
            if wanted and wanted != previous["metadata"]["resourceVersion"]:
                raise ApiError(
                    409,
                    "Conflict",
                    f"Operation cannot be fulfilled on {key.rsplit('/', 1)[-1]} "
                    f'"{name}": the object has been modified; please apply your '
                    "changes to the latest version and try again",
                )
            obj = self._normalize(key, namespace, body, previous)
            return aiohttp.web.json_response(obj if dry_run else self._put(key, namespace, obj))
        if method == "PATCH" and name is not None:
            return self._patch(request, key, namespace, name, body, dry_run)
        if method == "DELETE" and name is not None:
            obj = self._get(key, namespace, name)
            if not dry_run:
                del self._store[(key, namespace, name)]
                if key == "v1/namespaces":
                    for stored in [k for k in self._store if k[1] == name]:
                        del self._store[stored]
            return _status(200, "", "", {"name": name, "kind": key.rsplit("/", 1)[-1], "uid": obj["metadata"]["uid"]})
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on this path")

    def _patch(
        self, request: kmock.Request, key: str, namespace: str | None, name: str, body: Any, dry_run: bool
    ) -> aiohttp.web.StreamResponse:
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        previous = self._store.get((key, namespace, name))
        if previous is None and content_type == "application/apply-patch+yaml":
            self._require_namespace(key, namespace)
            obj = self._normalize(key, namespace, body)
            return aiohttp.web.json_response(obj if dry_run else self._put(key, namespace, obj), status=201)
        previous = self._get(key, namespace, name)
        if content_type == "application/json-patch+json":
            try:
                patched = jsonpatch.apply_patch(previous, body)
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
                raise ApiError(422, "Invalid", str(exc)) from exc
        else:  # merge, strategic merge (maps merge, lists replaced) and apply
            patched = _merge_patch(previous, body)
        patched.setdefault("metadata", {})["name"] = name
        obj = self._normalize(key, namespace, patched, previous)
        return aiohttp.web.json_response(obj if dry_run else self._put(key, namespace, obj))

    def _list(self, key: str, namespace: str | None, params: dict[str, str]) -> aiohttp.web.StreamResponse:
        items = [
            obj
            for (k, ns, _name), obj in sorted(self._store.items())
            if k == key and (namespace is None or ns == namespace)
        ]
        if params.get("labelSelector"):
            items = [o for o in items if _matches_labels(o, params["labelSelector"])]
        if params.get("fieldSelector"):
            items = [o for o in items if _matches_fields(o, params["fieldSelector"])]
        return aiohttp.web.json_response(
            {
                "kind": f"{RESOURCES[key]['kind']}List",
                "apiVersion": key.rsplit("/", 1)[0],
                "metadata": {"resourceVersion": str(self._revision)},
                "items": items,
            }
        )


async def serve(host: str, port: int, port_file: pathlib.Path) -> None:
    async with KubernetesApiServer() as handler, kmock.Server(handler, host=host, port=port) as server:
        tmp = port_file.with_suffix(".tmp")
        tmp.write_text(str(server.port))
        os.replace(tmp, port_file)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, pathlib.Path(args.port_file)))


if __name__ == "__main__":
    main()
