#!/usr/bin/env bash
# Installs the pinned TypeScript that checks the console's JavaScript (src/OrleansExport.Silo/jsconfig.json).
# Idempotent: does nothing when the locked version is already installed. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x node_modules/.bin/tsc ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
