#!/usr/bin/env bash
# The execution environment's base image, made here from Debian's packages (no container registry needed):
# a Debian 12 (bookworm) root file system, whose python3 is 3.11 (ansible-core 2.19 needs >= 3.11), imported into
# podman's local storage as $1. ansible-builder then builds the execution environment FROM it.
set -euo pipefail
image=${1:?usage: build-base.sh IMAGE [WORKDIR]}
work=${2:-$(dirname "$0")/../.build/ee}
# Debian's archive as this host reaches it (its mirrors, security updates and proxies), unless told otherwise.
sources=${EE_DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
rootfs=$work/base-rootfs.tar
# minbase: essential packages only. python3-pip and python3-venv: ansible-builder's scripts install with pip and
# make a venv; ca-certificates: pip and boto3 speak TLS. The package manager shim answers ansible-builder's dnf calls.
# shellcheck disable=SC2016  # "$1" is the hook's argument, mmdebstrap expands it
mmdebstrap --variant=minbase --quiet \
  --include=python3,python3-pip,python3-venv,ca-certificates \
  --customize-hook="copy-in $here/apt-pkgmgr /usr/local/bin" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm "$rootfs" "$sources"
podman import --quiet \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --message "Debian bookworm minbase with python3 (ai_model_registry.infra's execution environment base)" \
  "$rootfs" "$image"
rm -f "$rootfs"
# shellcheck source=ee/podman-args.sh
source "$here/podman-args.sh"
podman run --rm "${PODMAN_ARGS[@]}" "$image" python3 -c 'import sys; assert sys.version_info >= (3, 11), sys.version; print(sys.version)'
