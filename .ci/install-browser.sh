#!/usr/bin/env bash
# Install the browser that tests/test_timeline_browser.py drives: Debian's
# chromium at /usr/bin/chromium (the tests use the `playwright` Python
# package, from the dev extras, with executable_path set -- never
# `playwright install`, which would download a browser build).
# Idempotent: does nothing when chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "install-browser: /usr/bin/chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q chromium
/usr/bin/chromium --version
