# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``k8s_secret_manifests``: the Namespaces and Secrets k8s_secrets writes, in one list for one k8s call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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


class FilterModule(object):
    def filters(self):
        return {"k8s_secret_manifests": k8s_secret_manifests}
