"""kubernetes.core, as our roles use it, works against the Kubernetes emulator."""

from __future__ import annotations

import base64

from tests.integration.ansible import playbook

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Namespace
      kubernetes.core.k8s:
        definition: {apiVersion: v1, kind: Namespace, metadata: {name: registry}}
    - name: Secret
      kubernetes.core.k8s:
        definition:
          apiVersion: v1
          kind: Secret
          metadata: {name: postgresql-credentials, namespace: registry}
          stringData: {host: "{{ host }}", password: pw}
      no_log: true
"""


def test_secret_create_idempotent_rerun_and_update(aws, tmp_path):
    play = tmp_path / "play.yml"
    play.write_text(PLAY)
    first = playbook(aws, play, "-e", "host=a.example")
    assert "changed=2" in first.stdout
    second = playbook(aws, play, "-e", "host=a.example")
    assert "changed=0" in second.stdout
    third = playbook(aws, play, "-e", "host=b.example")
    assert "changed=1" in third.stdout
    from kubernetes import client, config

    api = client.CoreV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    secret = api.read_namespaced_secret("postgresql-credentials", "registry")
    assert base64.b64decode(secret.data["host"]).decode() == "b.example"
    assert set(secret.data) == {"host", "password"}
