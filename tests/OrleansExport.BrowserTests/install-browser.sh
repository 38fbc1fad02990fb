#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium and ChromeDriver (/usr/bin/chromium, /usr/bin/chromedriver).
# Idempotent: does nothing when both are there. Playwright drives this Chromium; it never downloads a browser of its own.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "browser tests: chromium and chromedriver already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
echo "browser tests: installed $(/usr/bin/chromium --version 2>/dev/null)"
