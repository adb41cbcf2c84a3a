"""`make demo` until site.yml exists: the emulator, and the seed's templates deployed on it.

Starts the emulators, runs the seed's create-stack commands in their documented order (with the
DR region's parts), prints every stack with its status and outputs (secrets as ARNs, never their
values), shows the secrets exist, and stops the emulators.
"""

from __future__ import annotations

import time

import boto3

from tests.emulator import launcher
from tests.emulator.seed import DR, PRIMARY, deploy_seed_order


def main() -> None:
    state_dir = launcher.REPO / ".emulator" / "demo"
    emulator = launcher.start(state_dir)
    print(f"AWS emulator {emulator.aws_url}, Kubernetes emulator {emulator.k8s_url}\n")
    try:
        emulator.reset()

        def client(service: str, region: str = PRIMARY):
            return boto3.client(
                service,
                region_name=region,
                endpoint_url=emulator.aws_url,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )

        started = time.monotonic()
        stacks = deploy_seed_order(client)
        elapsed = time.monotonic() - started
        for name, outputs in stacks.items():
            region = DR if name in ("backup-dr-vault", "dr-replica", "dr-secondary") else PRIMARY
            stack = client("cloudformation", region).describe_stacks(StackName=f"ai-model-registry-{name}")
            print(f"ai-model-registry-{name:16} {region:10} {stack['Stacks'][0]['StackStatus']}")
            for key, value in sorted(outputs.items()):
                print(f"    {key:28} {value}")
        for secret in ("ai-model-registry-aurora-db-credentials", "ai-model-registry-redis-auth-token"):
            described = client("secretsmanager").describe_secret(SecretId=secret)
            print(f"secret {secret}: present, value redacted (ARN {described['ARN']})")
        calls = emulator.requests()
        print(f"\n{len(stacks)} stacks in {elapsed:.1f} s; {calls['total']} AWS API calls, {calls['writes']} writes")
    finally:
        launcher.stop(state_dir)
        print("emulator stopped")


if __name__ == "__main__":
    main()
