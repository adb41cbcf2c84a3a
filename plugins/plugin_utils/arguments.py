# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument check of the collection's action plugins, as a module's AnsibleModule would do it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator


def validated_arguments(task_args, argument_spec, plugin):
    """The task's arguments checked and completed with their defaults; AnsibleActionFail names the plugin."""
    validation = ArgumentSpecValidator(argument_spec).validate(task_args)
    if validation.error_messages:
        raise AnsibleActionFail("%s: %s" % (plugin, "; ".join(validation.error_messages)))
    return validation.validated_parameters


try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every string is a template

    def trust_as_template(value):
        return value


def trusted_template(text):
    """A template the collection ships (a role's templates/), marked as one Ansible may render (2.19's trust)."""
    return trust_as_template(text)
