#!/usr/bin/env bash
# make ee-check: inside the execution environment (make ee), against local emulators of its own (state in
# .emulator/ee, stopped at the end), `ansible-playbook ai_model_registry.infra.site` deploys, then the same with
# --check previews it (changed=0: check mode needs the stacks' outputs, so it runs on a deployed platform). The
# container shares the host's network to reach the emulators on loopback; it gets their environment, their kubeconfig
# and inventories/local.
set -euo pipefail
cd "$(dirname "$0")/.."
state=$PWD/.emulator/ee
tag=$(python3 -c 'import yaml; print(yaml.safe_load(open("execution-environment.yml"))["options"]["tags"][0])')
podman image exists "$tag" || { echo "No image $tag: run make ee first" >&2; exit 1; }
python3 -m emulator.launcher start --state-dir "$state" >/dev/null
trap 'python3 -m emulator.launcher stop --state-dir "$state" >/dev/null' EXIT
# shellcheck source=/dev/null
source "$state/env"
variables=$(sed -n 's/^export \([A-Z0-9_]*\)=.*/\1/p' "$state/env")
# shellcheck source=ee/podman-args.sh
source ee/podman-args.sh
run=(podman run --rm "${PODMAN_ARGS[@]}" --network host
  --volume "$state/kubeconfig:$state/kubeconfig:ro" --volume "$PWD/inventories/local:/runner/inventory:ro")
for variable in $variables; do run+=(--env "$variable"); done
python3 -m emulator.launcher reset --state-dir "$state" >/dev/null
"${run[@]}" "$tag" ansible-playbook ai_model_registry.infra.site -i /runner/inventory "$@" | tail -12
"${run[@]}" "$tag" ansible-playbook ai_model_registry.infra.site -i /runner/inventory --check "$@" | tee "$state/check.log" | tail -12
grep -qE 'changed=[1-9]|failed=[1-9]' "$state/check.log" && { echo "site.yml --check in the EE: a change or a failure" >&2; exit 1; }
echo "site.yml deployed and previewed (--check, changed=0) inside $tag"
