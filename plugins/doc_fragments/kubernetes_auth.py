# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # kubernetes_objects and kubernetes_objects_info: the cluster options of kubernetes.core they take
    # (plugin_utils/kubernetes_core.py refuses the others).
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description: The kubeconfig file's path, or its content as a dictionary.
    type: raw
  context:
    description: The kubeconfig's context to use.
    type: str
  host:
    description: The Kubernetes API's URL.
    type: str
  api_key:
    description: A bearer token for the API.
    type: str
  validate_certs:
    description: Whether to verify the API's TLS certificate.
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description: The CA certificate the API's certificate is verified against.
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description: A client certificate for the API.
    type: path
    aliases: [cert_file]
  client_key:
    description: The client certificate's key.
    type: path
    aliases: [key_file]
"""
