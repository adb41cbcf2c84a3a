# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What k8s_secrets writes: ``k8s_secret_manifests`` (the Namespaces and Secrets, in one list for one k8s call) and
``postgresql_secret_endpoints`` (which endpoints the database Secret names); ``k8s_secret_values``: what the Secrets
read back hold."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible.errors import AnsibleFilterError


def k8s_secret_manifests(namespaces, secrets, labels=None, create_namespaces=True):
    """Namespace manifests (when asked), then one Opaque Secret per namespace and secret name.

    ``secrets`` maps a Secret's name to its string data; every value becomes a string, as
    ``stringData`` requires.
    """
    if not namespaces:
        raise AnsibleFilterError("k8s_secret_manifests: no namespace given")
    manifests = []
    if create_namespaces:
        manifests += [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in namespaces]
    for namespace in namespaces:
        for name in sorted(secrets or {}):
            manifests.append(
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "type": "Opaque",
                    "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {})},
                    "stringData": {key: "" if value is None else str(value) for key, value in secrets[name].items()},
                }
            )
    return manifests


WRITER_ENDPOINTS = ("global", "cluster")


def postgresql_secret_endpoints(aurora_outputs, global_cluster=None, writer_cluster=None, writer_endpoint="global"):
    """``host``, ``reader_host``, ``port`` of ``postgresql-credentials``, and the region to read the credentials in.

    ``aurora_outputs``: the aurora stack's outputs; ``global_cluster``: its global database as
    ``amazon.aws.rds_global_cluster_info`` returns it (None: not a global database); ``writer_cluster``: the current
    writer as ``amazon.aws.rds_cluster_info`` returns it, when it is another region's cluster.

    ``global``: the global database's writer endpoint, which Aurora moves to the writer itself, so a switchover or
    a failover changes nothing in the Secret; the port and the reader endpoint of this stack's cluster (reads stay
    in the application's region - after a switchover that cluster is a readable secondary). ``cluster``: the current
    writer cluster's own endpoints (for global databases set up before Aurora had a writer endpoint), repointed
    after every switch. Without a global database, or a writer endpoint, this stack's cluster.
    """
    if writer_endpoint not in WRITER_ENDPOINTS:
        raise AnsibleFilterError(
            "postgresql_secret_endpoints: writer_endpoint must be one of %s, got %r"
            % (WRITER_ENDPOINTS, writer_endpoint)
        )
    outputs = aurora_outputs or {}
    own = {
        "host": outputs.get("ClusterEndpoint", ""),
        "reader_host": outputs.get("ReaderEndpoint", ""),
        "port": str(outputs.get("Port", "")),
        "region": str(outputs.get("ClusterArn", "::::")).split(":")[3],
    }
    members = (global_cluster or {}).get("global_cluster_members") or []
    writer_arn = next((m["db_cluster_arn"] for m in members if m.get("is_writer")), outputs.get("ClusterArn", ""))
    writer_region = writer_arn.split(":")[3] if writer_arn.count(":") >= 3 else own["region"]
    if writer_endpoint == "global" and (global_cluster or {}).get("endpoint"):
        # the credentials are read where the writer is (the secret is replicated there): the other region may be down
        return dict(own, host=global_cluster["endpoint"], region=writer_region)
    if writer_cluster and writer_arn != outputs.get("ClusterArn"):
        return {
            "host": writer_cluster["endpoint"],
            "reader_host": writer_cluster["reader_endpoint"],
            "port": str(writer_cluster["port"]),
            "region": writer_region,
        }
    return own


def k8s_secret_values(results, name, key):
    """The decoded ``key`` of the Secret ``name`` in each namespace a looped M(kubernetes.core.k8s_info) read (its
    registered ``results``, each namespace's Secrets in ``resources``); None where that Secret or key is missing."""
    values = []
    for result in results or []:
        found = [r for r in result.get("resources") or [] if (r.get("metadata") or {}).get("name") == name]
        data = (found[0].get("data") or {}) if found else {}
        values.append(base64.b64decode(data[key]).decode("utf-8") if key in data else None)
    return values


def k8s_changed_secrets(written):
    """``namespace/name`` of each Secret a M(kubernetes.core.k8s) run changed, from its registered result (one
    definition: the object itself; several: ``result.results``)."""
    if not written or written.get("skipped"):
        return []
    found = written.get("result") or {}
    items = found["results"] if isinstance(found.get("results"), list) else [written]
    changed = set()
    for item in items:
        resource = item.get("result") or {}
        metadata = resource.get("metadata") or {}
        if item.get("changed") and resource.get("kind") == "Secret":
            changed.add("%s/%s" % (metadata.get("namespace"), metadata.get("name")))
    return sorted(changed)


def k8s_deployments_to_restart(deployments, written):
    """The Deployments of ``deployments`` (``namespace``, ``name``, optional ``secrets``) that read a Secret the
    k8s run ``written`` changed: one in their namespace and, when they list ``secrets``, one of those."""
    changed = k8s_changed_secrets(written)
    restart = []
    for deployment in deployments or []:
        reads = deployment.get("secrets")
        if any(
            key.split("/", 1)[0] == deployment["namespace"] and (not reads or key.split("/", 1)[1] in reads)
            for key in changed
        ):
            restart.append(deployment)
    return restart


def k8s_restart_manifests(deployments, restarted_at):
    """The patches that restart ``deployments`` (``namespace``, ``name``), as ``kubectl rollout restart`` does it: the
    pod template's ``kubectl.kubernetes.io/restartedAt`` annotation set to ``restarted_at``. One list, for one
    kubernetes.core.k8s call (state patched) instead of a call per Deployment."""
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": d["name"], "namespace": d["namespace"]},
            "spec": {
                "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": str(restarted_at)}}}
            },
        }
        for d in deployments or []
    ]


class FilterModule(object):
    def filters(self):
        return {
            "k8s_restart_manifests": k8s_restart_manifests,
            "k8s_secret_manifests": k8s_secret_manifests,
            "k8s_secret_values": k8s_secret_values,
            "k8s_deployments_to_restart": k8s_deployments_to_restart,
            "postgresql_secret_endpoints": postgresql_secret_endpoints,
        }
