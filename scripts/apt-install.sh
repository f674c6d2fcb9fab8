#!/usr/bin/env bash
# Installs Debian packages the tests or benchmarks need (chromium for the HTML report test, wrk for
# bench/lab), skipping those already present. Needs root, or sudo.
#   scripts/apt-install.sh <command>:<package> ...   e.g. chromium:chromium wrk:wrk
set -euo pipefail
missing=()
for pair in "$@"; do
  command -v "${pair%%:*}" > /dev/null 2>&1 || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
echo "installing ${missing[*]} with apt-get" >&2
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
