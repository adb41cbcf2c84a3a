#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/dr_drill_report.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dr_drill_report
version_added: 1.0.0
short_description: Write, archive and announce a DR drill report in one task
description:
  - Writes the evidence of a DR drill (C(docs/dr-drill-report.md)) into O(directory) on the controller -
    C(report.json) (the machine format), C(report.md) (the role's Markdown template rendered with the report as
    C(dr_drill_report)), C(junit.xml) (one test case per step, RTO, RPO and the cleanup, written with an XML
    library) and C(report.html) (a self-contained page with the figures and the timeline drawn to scale) - then
    archives the four files in S3, announces the result with the Markdown page on an SNS topic
    and publishes the measured RTO and RPO to CloudWatch (namespace C(AIModelRegistry/DR), dimension
    C(Environment)), each when asked.
  - The files are written before any AWS call, so a failed upload still leaves the evidence on the controller.
  - It runs on the controller (an action plugin) with the controller's AWS credentials; in check mode it writes
    and sends nothing and returns the paths and objects it would write.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  report:
    description: The report, as the C(ai_model_registry.infra.dr_drill_report) filter assembles it.
    type: dict
    required: true
  directory:
    description: >-
      The local directory of this drill's files; created (mode 0750) when missing. A relative path is under the
      directory ansible-playbook runs in.
    type: path
    required: true
  bucket:
    description: The S3 bucket the files are archived in; nothing is archived without it.
    type: str
  bucket_region:
    description: The region of O(bucket); required with it.
    type: str
  key_prefix:
    description: The key prefix of the archived files (C(<prefix>/report.json), ...).
    type: str
    default: ""
  history_prefix:
    description:
      - The key prefix of the environment's history in O(bucket) (C(<prefix>/<environment>/runs/<id>.json),
        C(index.json), C(history.html)); the run is appended to it. No history without it.
    type: str
  cadence:
    description:
      - "The drill types and how often each must run (C({restore: {every: month}, ...})), as the platform model gives
        them; the Markdown page names the cadence, the history page says whether each period's run is done."
      - A report whose type has no cadence (a real failover, C(type=failover)) is named as such.
    type: dict
    default: {}
  topic_arn:
    description: The SNS topic the result is announced on (in the topic's own region); no announcement without it.
    type: str
  metrics_region:
    description: The region the measured RTO and RPO are published in; nothing is published without it.
    type: str
attributes:
  check_mode:
    support: full
    description: Writes no file and makes no AWS call; returns the files and objects it would write.
  diff_mode:
    support: none
    description: The report is new with every drill; there is nothing to compare.
extends_documentation_fragment:
  - ai_model_registry.infra.controller_aws
"""

EXAMPLES = r"""
- name: Write, archive and announce the report
  ai_model_registry.infra.dr_drill_report:
    report: "{{ dr_drill_report }}"
    directory: /var/lib/dr-drills/20261129T120000-restore
    bucket: ai-model-registry-production-artifacts
    bucket_region: us-east-1
    key_prefix: dr-drills/production/20261129T120000-restore
    topic_arn: arn:aws:sns:us-west-2:123456789012:ai-model-registry-production-dr
    metrics_region: us-west-2
"""

RETURN = r"""
files:
  description: The local files, in the order written.
  returned: always
  type: list
  elements: str
objects:
  description: The S3 objects, as C(s3://bucket/key).
  returned: when O(bucket) is set
  type: list
  elements: str
published:
  description: The number of data points published to CloudWatch (0 in check mode).
  returned: success
  type: int
announced:
  description: Whether the result was published on the topic.
  returned: success
  type: bool
api_calls:
  description: The AWS API calls made, in order, as C(service.Action).
  returned: always
  type: list
  elements: str
"""
