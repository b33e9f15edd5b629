#!/usr/bin/env bash
# `npm run test:unprivileged`: runs `npm test` as an ordinary user, as most
# contributors run it, on a clean clone of HEAD: uid 65534 with no
# capabilities and an empty environment. CI runs as root, so without this a
# test that leans on root would pass there and fail for everyone else.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

if [ "$(id -u)" != 0 ]; then
  echo "test:unprivileged: you are uid $(id -u), already an ordinary user; running npm test as you" >&2
  cd "$repo" && exec npm test
fi

user=65534
dir="$(mktemp -d "${TMPDIR:-/tmp}/pvm-unprivileged.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "test:unprivileged: testing the last commit; your uncommitted changes are not in the clone" >&2
fi
git clone --quiet "$repo" "$dir/pvm"
# Installed as root, from root's npm cache (quick); the user then owns the clone.
(cd "$dir/pvm" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
mkdir "$dir/home"
chown -R "$user:$user" "$dir"

node_dir="$(dirname "$(command -v node)")"
echo "test:unprivileged: npm test as uid $user in $dir/pvm" >&2
cd "$dir/pvm"
setpriv --reuid "$user" --regid "$user" --clear-groups --inh-caps=-all \
  env -i HOME="$dir/home" PATH="$node_dir:/usr/local/bin:/usr/bin:/bin" npm_config_update_notifier=false npm test
