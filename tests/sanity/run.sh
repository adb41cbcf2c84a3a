#!/usr/bin/env bash
# ansible-test sanity, offline, on a copy of the files git would commit.
# ansible-test resolves symlinks and insists on an ansible_collections/<ns>/<name> path, so the
# checkout is copied to .build/sanity (its tests/output, with the cached sanity venvs, is kept).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
venv=$repo/.venv
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
root=$repo/.build/sanity/ansible_collections
dest=$root/ai_model_registry/infra

# ansible-test fetches get-pip from the internet; this stand-in does the same with ensurepip + PyPI.
mkdir -p "$HOME/.ansible/test/cache"
cp "$repo/tests/sanity/get_pip_offline.py" "$HOME/.ansible/test/cache/get_pip_24_2.py"

mkdir -p "$dest"
for dep in amazon kubernetes; do ln -sfn "$site/ansible_collections/$dep" "$root/$dep"; done
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
if [ -d "$dest/tests" ]; then find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +; fi
# The collection as it ships: not its tests, the emulator, bench and tools, which it never imports and does not ship
# (galaxy.yml build_ignore) and ruff checks. (pylint of the 11,600 lines of tests/ was a third of sanity's time.)
(cd "$repo" && git ls-files --cached --others --exclude-standard -z | grep -zEv '^(tests|emulator|bench|tools)/' \
  | tar --null -T - -cf -) | tar -xf - -C "$dest"

cd "$dest"
# ansible-test finds a collection's files through git; index the copy.
rm -rf .git && git init -q && git add -A
exec "$venv/bin/ansible-test" sanity --venv --python 3.11 --color no "$@"
