# shellcheck shell=bash
# Sourced by ee/*.sh: what podman needs on a host like this project's machines (a VM whose root lacks
# CAP_SYS_RESOURCE, with cgroups v1 and v2 mounted side by side). docs/execution-environment.md says why.
# - runc: crun refuses a hybrid cgroup layout ("cgroups in hybrid mode not supported"); runc runs on it.
# - ulimits: podman asks the runtime to raise RLIMIT_NOFILE/RLIMIT_NPROC above the host's hard limits, which needs
#   CAP_SYS_RESOURCE ("setrlimit RLIMIT_NOFILE: Operation not permitted"); ask for no more than the host has.
PODMAN_ARGS=()
if command -v runc >/dev/null; then
  PODMAN_ARGS+=(--runtime "$(command -v runc)")
fi
#   RLIMIT_NPROC is refused above kernel.pid_max too (here 32768 was accepted, 32769 refused, the hard limit 96365).
if [ "$(ulimit -Hn)" != unlimited ]; then
  PODMAN_ARGS+=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)")
fi
nproc=$(cat /proc/sys/kernel/pid_max)
if [ "$(ulimit -Hu)" != unlimited ] && [ "$(ulimit -Hu)" -lt "$nproc" ]; then
  nproc=$(ulimit -Hu)
fi
PODMAN_ARGS+=(--ulimit "nproc=$nproc:$nproc")
