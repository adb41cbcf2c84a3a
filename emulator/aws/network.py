"""A fixed private network in each emulated region, there from the region's first use, after every reset.

moto gives every VPC and subnet a random ID, but an inventory needs IDs it can name: the local
inventory (inventories/local) uses these. Each region gets one VPC (10.<n>.0.0/16) with private
subnets in three Availability Zones, tagged like a real landing zone would.
"""

from __future__ import annotations

from moto.ec2.models import EC2Backend
from moto.ec2.models import subnets as subnets_module
from moto.ec2.models import vpcs as vpcs_module

# region -> (second octet, ID stem); IDs are hex, as EC2 IDs are.
REGIONS = {"us-west-2": (10, "0a"), "us-east-1": (20, "0b"), "eu-west-1": (30, "0c"), "eu-central-1": (40, "0d")}


def network_ids(region: str) -> dict:
    octet, stem = REGIONS[region]
    return {
        "vpc_id": f"vpc-{stem}000000000000001",
        "subnet_ids": [f"subnet-{stem}00000000000000{n}" for n in (1, 2, 3)],
        "cidr": f"10.{octet}.0.0/16",
    }


def _seed(ec2: EC2Backend, region: str) -> None:
    ids = network_ids(region)
    original_vpc_id, original_subnet_id = vpcs_module.random_vpc_id, subnets_module.random_subnet_id
    try:
        vpcs_module.random_vpc_id = lambda: ids["vpc_id"]
        ec2.create_vpc(ids["cidr"], tags=[{"Key": "Name", "Value": "ai-model-registry-local"}])
        octet = REGIONS[region][0]
        for index, (subnet_id, zone) in enumerate(zip(ids["subnet_ids"], "abc", strict=True)):
            subnets_module.random_subnet_id = lambda subnet_id=subnet_id: subnet_id
            ec2.create_subnet(
                ids["vpc_id"],
                f"10.{octet}.{index}.0/24",
                availability_zone=f"{region}{zone}",
                tags={"subnet": {"Name": f"ai-model-registry-local-private-{zone}"}},
            )
    finally:
        vpcs_module.random_vpc_id, subnets_module.random_subnet_id = original_vpc_id, original_subnet_id


_original_init = EC2Backend.__init__


def _init(self: EC2Backend, region_name: str, account_id: str) -> None:
    _original_init(self, region_name, account_id)
    if region_name in REGIONS:
        _seed(self, region_name)  # a region's EC2 backend is built on first use, after every reset too


def install() -> None:
    EC2Backend.__init__ = _init
