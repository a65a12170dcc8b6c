#!/usr/bin/env bash
# The report test opens report.html in a real headless Chromium: Debian's package, which a new
# machine lacks. Installed here (as root, from Debian's registry) so `npm test` works on a fresh
# machine exactly as on CI; elsewhere it says what to install instead of failing obscurely later.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the report test (once per machine)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "npm test needs /usr/bin/chromium for the report test: install Debian's chromium package (apt-get install chromium)" >&2
exit 1
