# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The action plugins that call AWS with the controller's boto3 session (plugin_utils/aws_session.py,
    # SESSION_ARGUMENTS): cloudformation_stack, aurora_writer, dr_readiness, dr_drill_report.
    DOCUMENTATION = r"""
options:
  profile:
    description: The AWS profile of the calls; the controller's credentials without it.
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description: An AWS endpoint other than the default (C(AWS_ENDPOINT_URL) is read by botocore too).
    type: str
    aliases: [aws_endpoint_url]
attributes:
  platform:
    support: full
    platforms: aws
    description: Runs on the controller, against the AWS APIs.
"""
