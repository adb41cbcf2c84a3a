# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``registry_model`` filter: the one model of the platform (module_utils/platform_model.py); ``stack_pending``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.module_utils import platform_model
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import cloudformation


def registry_model(prefix, environment, artifacts_bucket=None):
    try:
        return platform_model.model(prefix, environment, artifacts_bucket)
    except ValueError as e:
        raise AnsibleFilterError("registry_model: %s" % e) from None


def stack_name(prefix, environment, component):
    """The stack of a component (kept for playbooks written against 1.0; registry_model names them all)."""
    try:
        return "%s-%s" % (platform_model.stack_base(prefix or platform_model.DEFAULT_PREFIX, environment), component)
    except ValueError as e:
        raise AnsibleFilterError("stack_name: %s" % e) from None


def stack_pending(outputs):
    """True when these outputs are check mode's placeholders of a stack it would create (cloudformation_stack)."""
    return any(cloudformation.is_pending(value) for value in (outputs or {}).values())


class FilterModule(object):
    def filters(self):
        return {"registry_model": registry_model, "stack_name": stack_name, "stack_pending": stack_pending}
