#!/bin/bash
# jeelinky's dependency step: checks Node.js >= 20 and npm, then installs the runner's production
# modules (resources/jeelinky/node_modules). Says plainly what is missing.
PROGRESS_FILE=${1:-/tmp/jeedom/jeelinky/dependance}
mkdir -p "$(dirname "$PROGRESS_FILE")"
touch "$PROGRESS_FILE"
echo 0 > "$PROGRESS_FILE"
finish() { rm -f "$PROGRESS_FILE"; exit "$1"; }
cd "$(dirname "$0")/jeelinky" || { echo "jeelinky: resources/jeelinky is missing: re-install the plugin"; finish 1; }
echo "== jeelinky: dependencies"
if ! command -v node >/dev/null 2>&1; then
	echo "MISSING: Node.js is not installed. jeelinky needs Node.js 20 or newer (https://nodejs.org, or NodeSource's Debian packages), then relaunch the dependencies."
	finish 1
fi
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
if [ "$NODE_MAJOR" -lt 20 ]; then
	echo "MISSING: Node.js $(node --version) is too old: jeelinky needs Node.js 20 or newer. Upgrade Node.js, then relaunch the dependencies."
	finish 1
fi
echo 30 > "$PROGRESS_FILE"
if ! command -v npm >/dev/null 2>&1; then
	echo "MISSING: npm is not installed (it comes with Node.js; on Debian: apt-get install npm)."
	finish 1
fi
echo "Node.js $(node --version), npm $(npm --version): installing the runner's modules (npm install --omit=dev)"
if ! npm install --omit=dev --no-audit --no-fund; then
	echo "FAILED: npm install --omit=dev did not finish (no internet access?). See the lines above."
	finish 1
fi
echo 100 > "$PROGRESS_FILE"
echo "== jeelinky: dependencies OK"
finish 0
