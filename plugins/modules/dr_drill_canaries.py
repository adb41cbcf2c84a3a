#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/dr_drill_canaries.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dr_drill_canaries
version_added: 1.0.0
short_description: Canaries that measure what a DR drill's switch of the database or of Redis loses
description:
  - O(state=written) creates the canary table if missing and writes O(count) canary rows of the drill (seq 1 to
    O(count)) in one transaction; with O(acknowledgements) it also starts a background writer that adds a canary
    every O(interval_seconds) (seq 1000 and up) and appends each commit the server acknowledged to that file as
    C(<seq> <epoch seconds>), until it is stopped or O(max_seconds) pass. The writer keeps trying while the
    primary is down or read-only.
  - O(state=read) stops that writer (O(acknowledgements)), writes one canary (seq 0, O(write=true)) and reads
    the drill's canaries where the connection points - after a switch the new writer -, and returns them with the
    acknowledged commits, so that a drill tells exactly which acknowledged writes the new writer lacks.
  - O(state=stopped) only stops the writer (no connection), for a drill whose switch failed.
  - O(state=absent) stops the writer and deletes every canary row (an interrupted drill's too; the drill's lock
    makes them ours).
  - The table name is validated as an SQL identifier before any connection; every value is a query parameter.
  - With O(redis), the same for Redis's sentinel keys, so that a drill measures what the cache's switch loses too.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  table:
    description: The canary table (plain or schema-qualified).
    type: str
    default: dr_drill_canary
  redis:
    description:
      - Redis's sentinel keys beside the rows - each state is applied to both, and RV(redis) returns what Redis
        answered. Keys C(<key_prefix>:<drill_id>:<seq>) hold when each was written and expire after
        O(redis.ttl_seconds); they are reached as the application reaches its cache (the endpoint, port and AUTH token
        of its C(redis-credentials) Secret). A primary demoted to a replica refuses writes (READONLY), which Redis's
        background writer counts as not acknowledged, and keeps trying. Its acknowledgements go to
        C(<acknowledgements>.redis).
    type: dict
    version_added: 1.1.0
    suboptions:
      host:
        description: Redis's endpoint.
        type: str
        required: true
      port:
        description: Redis's port.
        type: int
        default: 6379
      password:
        description: The AUTH token.
        type: str
      tls:
        description:
          - Connect over TLS. The platform's templates enable ElastiCache's in-transit encryption, which then accepts
            TLS connections only.
          - The certificate is verified against the CAs the controller trusts (ElastiCache's are public); its host name
            is not, as a custom domain's name is not in ElastiCache's certificate.
        type: bool
        default: true
      key_prefix:
        description: The prefix of the keys; O(state=absent) deletes every key under it.
        type: str
        default: dr-drill-canary
      ttl_seconds:
        description: The keys expire after this many seconds, so that a drill that never reached its cleanup leaves
          nothing in the cache for long.
        type: int
        default: 86400
  drill_id:
    description: The drill whose canaries these are.
    type: str
    required: true
  state:
    description: C(written), C(read), C(stopped) or C(absent).
    type: str
    choices: [written, read, stopped, absent]
    default: written
  count:
    description: Canaries to write before the switch (O(state=written)).
    type: int
    default: 20
  acknowledgements:
    description:
      - File of the background writer's acknowledged commits; C(<file>.stop) stops it, C(<file>.done) says it ended.
      - With O(state=written) the writer is started; with the other states it is stopped first.
    type: path
  interval_seconds:
    description: Seconds between two canaries of the background writer.
    type: float
    default: 0.2
  max_seconds:
    description: The background writer stops by itself after this many seconds.
    type: float
    default: 3600
  write:
    description: With O(state=read), write one canary (seq 0) first, as the application would.
    type: bool
    default: false
extends_documentation_fragment:
  - ai_model_registry.infra.postgresql
  - ai_model_registry.infra.controller
notes:
  - O(login_host) is the application's endpoint, so that after a switch the canaries are read where the
    application writes.
  - Check mode is not supported - the canaries are the measurement.
  - O(redis) needs the C(redis) Python library (redis-py) on the controller.
  - The background writer is a process of its own on the controller (its own session, none of the task's files
    open), which outlives the task until O(state=read), O(state=stopped) or O(state=absent) stops it, or
    O(max_seconds) pass.
"""

EXAMPLES = r"""
- name: Write canaries to the primary and keep writing them through the switch
  ai_model_registry.infra.dr_drill_canaries:
    login_host: "{{ db_host }}"
    login_user: "{{ db_user }}"
    login_password: "{{ db_password }}"
    login_db: modelregistry
    drill_id: staging-switchover-20270112T100000Z-4711
    count: 20
    acknowledgements: /var/tmp/drill/canaries-acknowledged.txt
    redis: {host: "{{ redis_host }}", port: 6379, password: "{{ redis_auth_token }}"}  # and Redis's sentinel keys
  register: written
  no_log: true

- name: After the switch - stop the writer, write one canary and read them all on the new writer
  ai_model_registry.infra.dr_drill_canaries:
    login_host: "{{ new_db_host }}"
    login_user: "{{ db_user }}"
    login_password: "{{ db_password }}"
    login_db: modelregistry
    drill_id: staging-switchover-20270112T100000Z-4711
    state: read
    write: true
    acknowledgements: /var/tmp/drill/canaries-acknowledged.txt
  register: found
  no_log: true
"""

RETURN = r"""
written:
  description: The canaries written before the switch, C([seq, epoch seconds of the commit]) each (O(state=written)).
  returned: always
  type: list
  elements: list
  sample: [[1, 1799748000.12], [2, 1799748000.12]]
writer_pid:
  description: Process id of the background writer; null when none was started.
  returned: always
  type: int
found:
  description: The drill's canaries (seq above 0) where the connection points, C([seq, epoch seconds]) each
    (O(state=read)).
  returned: always
  type: list
  elements: list
acknowledged:
  description: The commits the background writer got acknowledged, C([seq, epoch seconds]) each (once stopped).
  returned: always
  type: list
  elements: list
count:
  description: The drill's canary rows where the connection points, seq 0 included (O(state=read)).
  returned: always
  type: int
read_at:
  description: When the canaries were read (and the one written), in seconds since the epoch; null unless read.
  returned: always
  type: float
endpoint:
  description: C(<login_host>:<login_port>), where the canaries were written or read.
  returned: always
  type: str
server:
  description:
    - C(<address>:<port>) of the server that answered through RV(endpoint) (C(inet_server_addr()),
      C(inet_server_port())) when the canaries were written or read; null otherwise.
    - Through an Aurora global database's writer endpoint the endpoint stays the same after a switch, the server
      behind it changes.
  returned: always
  type: str
  sample: 10.0.12.34:5432
deleted:
  description: Canary rows deleted (O(state=absent)).
  returned: always
  type: int
redis:
  description:
    - With O(redis), what Redis answered - the keys of this result (RV(written), RV(writer_pid), RV(found),
      RV(acknowledged), RV(count), RV(read_at), RV(endpoint), RV(deleted), C(changed)) for the sentinel keys; its
      C(server) is C(run_id <id>) of the Redis server (C(INFO server)).
  returned: when O(redis) is given
  type: dict
  version_added: 1.1.0
reason:
  description: Why the module failed - C(invalid_table), C(writer_running) (the writer did not stop within 30 s),
    C(missing_library).
  returned: on failure
  type: str
"""
