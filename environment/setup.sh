#!/usr/bin/env bash
# Idempotent machine setup for modburst: Jupyter's headless executor (nbclient +
# nbconvert), a project-local tslab kernelspec under .jupyter/, and a Chromium
# for static figure export. Installs from environment/apt.txt on Debian as root;
# elsewhere prints what to install and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || { echo "modburst setup: run 'npm ci' first" >&2; exit 3; }
# Always build: a dist/ from an older checkout may lack the setup command.
npm run build --silent
exec node bin/modburst.js setup "$@"
