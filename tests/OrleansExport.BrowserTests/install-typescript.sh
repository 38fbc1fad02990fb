#!/usr/bin/env bash
# Installs the pinned TypeScript that ConsoleTypeCheckTests runs (idempotent; test.sh runs every tests/*/install-*.sh).
set -euo pipefail
bash "$(dirname "$0")/../../tools/typescript/install.sh"
