#!/usr/bin/env bash
# Debian programs the test suite runs for real, which a new machine lacks: chromium opens
# report.html; prometheus-pushgateway receives the metrics a run pushes; promtool (package
# prometheus) checks the metrics file. Installed here (as root, from Debian's registry, in one
# apt-get) so `npm test` works on a fresh machine exactly as on CI; elsewhere it says what to
# install instead of failing obscurely later.
set -euo pipefail
# program  package
TOOLS="
/usr/bin/chromium chromium
/usr/bin/prometheus-pushgateway prometheus-pushgateway
/usr/bin/promtool prometheus
"
missing=()
while read -r program package; do
  [ -n "$program" ] && [ ! -x "$program" ] && missing+=("$package")
done <<<"$TOOLS"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's ${missing[*]} for the test suite (once per machine)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The packages would start their daemons (prometheus on :9090, the gateway on :9091); the tests
  # start their own on free ports, so service starts are refused for this install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # No recommends: prometheus would bring node_exporter along, which the tests do not use.
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "npm test needs Debian's ${missing[*]}: apt-get install ${missing[*]}" >&2
exit 1
