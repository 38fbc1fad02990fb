#!/usr/bin/env bash
# The whole test suite on a fresh machine with the .NET SDK and Node.js:
# installs what the tests need (Debian's Chromium for the browser tests), builds, and runs every
# test project one after another (several test hosts at once on 2 cores would only slow each other).
set -euo pipefail
cd "$(dirname "$0")"

bash tests/OrleansExport.BrowserTests/install-browser.sh
for setup in tests/*/install-*.sh; do
  [ "$setup" = tests/OrleansExport.BrowserTests/install-browser.sh ] || bash "$setup"
done

dotnet build OrleansExport.sln -c Release
log=$(mktemp)
status=0
for project in tests/*/*.csproj; do
  grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue # tests/OrleansExport.TestSupport is what they share
  dotnet test "$project" -c Release --no-build 2>&1 | tee -a "$log" || status=1
done

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $status
