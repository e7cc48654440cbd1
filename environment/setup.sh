#!/usr/bin/env bash
# Idempotent machine setup for modburst: a project-local .venv/ with JupyterLab 4
# and Jupyter's headless executor (nbclient + nbconvert) from the pins of
# environment/requirements.txt, a project-local tslab kernelspec under .jupyter/,
# and a Chromium for static figure export. Falls back to Debian's packages
# (environment/apt.txt, installed as root); when neither works, prints what to
# install and exits 3. Options: --user, --remove-user (see src/cli/setup.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || { echo "modburst setup: run 'npm ci' first" >&2; exit 3; }
# Always build: a dist/ from an older checkout may lack the setup command.
npm run build --silent
exec node bin/modburst.js setup "$@"
