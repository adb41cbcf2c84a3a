# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``registry_model`` filter: the one model of the platform (module_utils/platform_model.py); ``stack_pending``,
``alarm_subscribers``."""

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


def alarm_subscribers(subscriptions, field):
    """One field of every alarm subscriber, in order: a template's AlarmSubscriptionProtocols or
    AlarmSubscriptionEndpoints. What the template cannot take fails here, before the stack is touched."""
    if field not in ("protocol", "endpoint"):
        raise AnsibleFilterError("alarm_subscribers: the field is protocol or endpoint, not %r" % (field,))
    if not isinstance(subscriptions, list):
        raise AnsibleFilterError("alarm_subscribers: the subscriptions must be a list, not %r" % (subscriptions,))
    problems = platform_model.alarm_subscription_problems(subscriptions)
    if problems:
        raise AnsibleFilterError(
            "The alarm subscriptions (registry_alarm_subscriptions unless the role's own is set) %s. Nothing was "
            "changed." % "; ".join(problems)
        )
    return [subscriber[field] for subscriber in subscriptions]


class FilterModule(object):
    def filters(self):
        return {
            "registry_model": registry_model,
            "stack_name": stack_name,
            "stack_pending": stack_pending,
            "alarm_subscribers": alarm_subscribers,
        }
