#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/cloudwatch_metric_data.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cloudwatch_metric_data
version_added: 1.0.0
short_description: Publish data points of custom CloudWatch metrics
description:
  - Publishes data points with C(PutMetricData), in batches of at most 1000 per call, as the drills and
    failovers publish their measured RTO and RPO (namespace C(AIModelRegistry/DR)) for the DR stack's
    C(MeasuredRTOAlarm) and C(MeasuredRPOAlarm) and its dashboard. No module of amazon.aws publishes metric data.
  - A data point is an event, not a state, so the module always reports a change; in check mode it publishes
    nothing.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  namespace:
    description:
      - Namespace of the metrics (not one starting with C(AWS/)).
      - The default is the namespace the DR stack's alarms and dashboard watch.
    type: str
    default: AIModelRegistry/DR
  metrics:
    description: The data points.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Metric name.
        type: str
        required: true
      value:
        description: The value.
        type: float
        required: true
      unit:
        description: CloudWatch unit (C(Seconds), C(Count), ...).
        type: str
        default: None
      dimensions:
        description: Dimensions, name to value.
        type: dict
        default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Publish the measured recovery time and recovery point of a drill
  ai_model_registry.infra.cloudwatch_metric_data:
    region: us-east-1
    metrics:
      - {name: RecoveryTimeSeconds, value: 412.5, unit: Seconds, dimensions: {Environment: production}}
      - {name: RecoveryPointSeconds, value: 0.8, unit: Seconds, dimensions: {Environment: production}}
"""

RETURN = r"""
published:
  description: Number of data points published (0 in check mode).
  returned: always
  type: int
api_calls:
  description: The AWS API calls made.
  returned: always
  type: list
  elements: str
"""
