#!/usr/bin/env bash
# Installs the pinned Azurite that this project's tests start (idempotent; test.sh runs every tests/*/install-*.sh).
set -euo pipefail
bash "$(dirname "$0")/../../tools/azurite/install.sh"
