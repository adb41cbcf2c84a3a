"""The dns role on the emulator's Route 53 (moto): a private hosted zone's records written, previewed, flipped and
left alone when right, as site.yml and failover.yml run it."""

from __future__ import annotations

import json

from tests.integration.ansible import playbook

DOMAIN = "registry.internal"
PRIMARY = {
    "postgresql": "g.global-1.global.rds.amazonaws.com",
    "postgresql_reader": "c.cluster-ro-1.us-west-2.rds.amazonaws.com",
}
DR_READER = {"postgresql_reader": "c-dr.cluster-ro-2.us-east-1.rds.amazonaws.com"}


def _play(name: str, zone_id: str, targets: dict, expect_changed: bool) -> dict:
    return {
        "name": name,
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [
            {
                "name": "The dns role's records entry point, as site.yml and failover.yml call it",
                "ansible.builtin.include_role": {"name": "ai_model_registry.infra.dns", "tasks_from": "records"},
                "vars": {"dns_zone_id": zone_id, "dns_domain": DOMAIN, "dns_targets": targets},
            },
            {
                "name": "Changed only when a record differed",
                "ansible.builtin.assert": {
                    "that": "__dns_written is %s" % ("changed" if expect_changed else "not changed")
                },
            },
        ],
    }


def test_records_are_written_previewed_flipped_with_a_low_ttl_and_left_alone_when_right(aws, client, tmp_path):
    zone_id = (
        client("route53")
        .create_hosted_zone(  # the seed's prerequisite: the environment's private zone
            Name=DOMAIN,
            CallerReference="test-dns",
            HostedZoneConfig={"PrivateZone": True},
            VPC={"VPCRegion": "us-west-2", "VPCId": "vpc-0a000000000000001"},
        )["HostedZone"]["Id"]
        .split("/")[-1]
    )
    python = "ansible_python_interpreter={{ ansible_playbook_python }}"

    def run(*plays, check=False):
        book = tmp_path / "records.yml"
        book.write_text(json.dumps(list(plays)))
        options = ["--check", "--diff"] if check else []
        playbook(aws, book, "-i", "localhost,", "-e", "ansible_connection=local", "-e", python, *options)

    run(_play("site.yml: the records", zone_id, PRIMARY, True))
    run(_play("failover.yml --check: the reader's flip previewed", zone_id, DR_READER, True), check=True)
    run(
        _play("failover.yml: the reader record flipped, the writer's left alone", zone_id, DR_READER, True),
        _play("failover.yml again: nothing to write", zone_id, DR_READER, False),
    )
    sets = client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    assert {s["Name"]: (s["ResourceRecords"][0]["Value"], s["TTL"]) for s in sets if s["Type"] == "CNAME"} == {
        f"postgresql.{DOMAIN}.": (PRIMARY["postgresql"], 5),
        f"postgresql-reader.{DOMAIN}.": (DR_READER["postgresql_reader"], 5),
    }
    # two records written in one batch, one flipped: the preview and the run with nothing to change wrote nothing
    assert aws.requests()["by_action"]["route53.ChangeResourceRecordSets"] == 2
