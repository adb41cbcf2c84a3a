#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/postgresql_data_checks.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: postgresql_data_checks
version_added: 1.0.0
short_description: Check restored PostgreSQL data - expected tables, row counts at a recovery point, queries
description:
  - Validates a restored database through a real connection and returns one result per check, each C(ok) or
    C(failed) with a detail a person can read. A failed check does not fail the task - RV(passed) says whether
    all passed - so a drill records every finding; invalid checks and a missing driver do.
  - The checks run in order, each only when those before it passed. C(expected tables) always runs (it proves
    the connection), C(row counts at the recovery point) with O(row_counts), C(validation queries) with
    O(queries).
  - Table and column names are validated as plain or schema-qualified SQL identifiers before any connection;
    they are the only names put into SQL text, every value is a query parameter.
  - Sessions are read-only (C(default_transaction_read_only)); the module never changes data.
  - O(login_host) and O(login_port) are the restored cluster's endpoint. O(login_user), O(login_password),
    O(login_db) and O(connect_timeout) serve both connections, to it and to O(source_host) (a restored
    cluster keeps the source's users).
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  source_host:
    description: Host of the source database, where the rows written up to O(recovery_point) are counted.
    type: str
  source_port:
    description: Port of the source database.
    type: int
    default: 5432
  recovery_point:
    description:
      - The time of the restored data, as ISO 8601 or seconds since the epoch. Required with O(row_counts).
    type: str
  tables:
    description: Tables (optionally schema-qualified) that must exist.
    type: list
    elements: str
    default: []
  row_counts:
    description:
      - Tables whose restored row count must equal the source's count of rows written up to O(recovery_point).
      - Needs O(source_host) and O(recovery_point).
    type: list
    elements: dict
    default: []
    suboptions:
      table:
        description: The table, optionally schema-qualified.
        type: str
        required: true
      written_at:
        description: Its column that says when a row was written (a C(timestamptz)).
        type: str
        required: true
  queries:
    description: Queries and the answer each must give (the first column of the first row, compared as text).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: What the query proves, for the report.
        type: str
        required: true
      sql:
        description: The query (read-only).
        type: str
        required: true
      expect:
        description: The expected answer; C(true) matches PostgreSQL's C(t).
        type: raw
        required: true
extends_documentation_fragment:
  - ai_model_registry.infra.postgresql
  - ai_model_registry.infra.controller
notes:
  - Supports check mode - it only reads, so it runs the same.
"""

EXAMPLES = r"""
- name: Validate a restored cluster against the source at the recovery point
  ai_model_registry.infra.postgresql_data_checks:
    login_host: registry-drill-1a2b3c4d.cluster-abc.us-west-2.rds.amazonaws.com
    login_user: "{{ db_user }}"
    login_password: "{{ db_password }}"
    login_db: modelregistry
    source_host: registry.cluster-abc.us-west-2.rds.amazonaws.com
    recovery_point: "2027-01-05T09:00:00Z"
    tables: [public.models, public.model_versions]
    row_counts:
      - {table: public.model_versions, written_at: created_at}
    queries:
      - name: every version has its model
        sql: >-
          SELECT count(*) FROM public.model_versions v
          LEFT JOIN public.models m ON m.id = v.model_id WHERE m.id IS NULL
        expect: 0
  register: checks
  no_log: true  # the task's arguments hold the password

- name: Fail when a check failed
  ansible.builtin.assert:
    that: checks.passed
"""

RETURN = r"""
passed:
  description: Whether every check that ran passed (and every check configured ran).
  returned: always
  type: bool
checks:
  description: The checks that ran, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: C(expected tables), C(row counts at the recovery point) or C(validation queries).
      type: str
    status:
      description: C(ok) or C(failed).
      type: str
    detail:
      description: What was found, for a person (C(missing - public.models), C(models restored 5 / source 5)).
      type: str
  sample:
    - {name: expected tables, status: ok, detail: "1 expected tables present, 3 tables in all", missing: []}
    - {name: row counts at the recovery point, status: ok, detail: models restored 5 / source 5,
       counts: [{table: models, restored: 5, source: 5, status: ok}]}
    - {name: validation queries, status: ok, detail: "newest model: 5 (expected 5)",
       answers: [{name: newest model, answer: 5, expected: 5, status: ok}]}
skipped:
  description: The configured checks that did not run because one before them failed.
  returned: always
  type: list
  elements: str
recovery_point_epoch:
  description: O(recovery_point) in seconds since the epoch; null without it.
  returned: always
  type: float
reason:
  description: Why the module failed - C(invalid_checks) (nothing was connected to) or C(missing_library).
  returned: on failure
  type: str
"""
