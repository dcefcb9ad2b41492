#!/usr/bin/env bash
# Installs what the test suite needs from Debian when it is missing: php-cli (the oracle of the
# strtotime differential test), mosquitto (a real MQTT broker), victoria-metrics (a real server of
# InfluxDB v2's write API), chromium (renders the HTML report headless). Tests start their own
# servers on loopback; they never skip silently, so a missing tool makes its suite fail loudly.
set -euo pipefail
need=()
command -v php >/dev/null 2>&1 || need+=(php-cli)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v victoria-metrics >/dev/null 2>&1 || [ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "test-setup: missing ${need[*]} and not root: install them (apt-get install ${need[*]}) and run again" >&2
  exit 1
fi
echo "test-setup: installing ${need[*]} from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
