#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/route53_records.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: route53_records
version_added: 1.1.0
short_description: Point records of a Route 53 hosted zone at their targets, in one change, and check them
description:
  - Reads the hosted zone's record sets (C(ListResourceRecordSets), every page), compares each record by name and
    type with its wanted value and TTL, and writes only those that differ, all in one C(ChangeResourceRecordSets)
    batch of C(UPSERT) changes (Route 53 applies a batch as a whole). Then reads the zone again and fails, naming
    each record, if Route 53 does not hold them as written.
  - A run with nothing to change makes one call per page of the zone and writes nothing. Check mode writes nothing
    and, with C(--diff), shows each differing record before and after.
  - The dns role writes the custom domain's records with it (site.yml) and flips those that do not follow a
    failover by themselves (failover.yml). M(amazon.aws.route53) writes one record per task, each a module process
    on the target, and reads nothing back.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  hosted_zone_id:
    description: ID of the hosted zone (C(Z...), or C(/hostedzone/Z...) as Route 53 returns it).
    type: str
    required: true
  records:
    description: The records; records of the zone not listed here are left alone.
    type: list
    elements: dict
    required: true
    suboptions:
      record:
        description: Fully qualified name (the final dot may be left out).
        type: str
        required: true
      type:
        description: Record type.
        type: str
        default: CNAME
        choices: [CNAME, A, AAAA, TXT]
      ttl:
        description: TTL in seconds; low, so a flipped record reaches the clients at once.
        type: int
        default: 5
      value:
        description: The record's one value.
        type: str
        required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Point the database's custom name at the global writer endpoint
  ai_model_registry.infra.route53_records:
    hosted_zone_id: Z0123456789ABCDEFGHIJ
    records:
      - record: postgresql.registry.internal
        value: registry.global-abc123.global.rds.amazonaws.com
"""

RETURN = r"""
records:
  description: Names of the records that differed, written (in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [postgresql-reader.registry.internal]
api_calls:
  description: The AWS API calls made.
  returned: always
  type: list
  elements: str
"""
