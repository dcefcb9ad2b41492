#!/usr/bin/env bash
# Installs what the test suite needs from Debian when it is missing: php-cli is the oracle of the
# strtotime differential test. Tests start their own servers on loopback; they never skip silently,
# so a missing tool here makes its suite fail loudly.
set -euo pipefail
need=()
command -v php >/dev/null 2>&1 || need+=(php-cli)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "test-setup: missing ${need[*]} and not root: install them (apt-get install ${need[*]}) and run again" >&2
  exit 1
fi
echo "test-setup: installing ${need[*]} from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
