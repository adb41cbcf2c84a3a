#!/usr/bin/env bash
# make ee: the execution environment, built here with podman from local parts only (no registry needed):
# the base image (build-base.sh, once), this collection's artifact, then ansible-builder on execution-environment.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$(python3 -c 'import yaml; print(yaml.safe_load(open("execution-environment.yml"))["images"]["base_image"]["name"])')
tag=$(python3 -c 'import yaml; print(yaml.safe_load(open("execution-environment.yml"))["options"]["tags"][0])')
work=.build/ee
mkdir -p "$work"
if ! podman image exists "$base"; then
  ee/build-base.sh "$base" "$work"
fi
# The collection as it is released: built, not the checkout (the EE file installs it from this fixed name).
rm -rf "$work/artifact" && mkdir -p "$work/artifact"
ansible-galaxy collection build --force --output-path "$work/artifact" >/dev/null
mv "$work"/artifact/ai_model_registry-infra-*.tar.gz .build/ee/ai_model_registry-infra.tar.gz
# shellcheck source=ee/podman-args.sh
source ee/podman-args.sh
# The host's CA bundle is lent to the build's RUN steps (pip and apt fetch through the same TLS proxy as the host,
# if any); it is mounted, not copied: the image keeps Debian's own.
build_args=("${PODMAN_ARGS[@]}")
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  build_args+=(--volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
fi
ansible-builder build -f execution-environment.yml -c "$work/context" -t "$tag" \
  --container-runtime podman --extra-build-cli-args "${build_args[*]}" -v 2
podman run --rm "${PODMAN_ARGS[@]}" "$tag" ansible --version
