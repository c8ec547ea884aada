#!/usr/bin/env bash
# Installs the Debian packages listed in the given file, unattended, when they are missing.
# As root: one `apt-get update`, then a non-interactive install. Not root: prints the exact
# command to run and fails, so a developer is never left with a half-working machine.
set -euo pipefail
list=${1:?usage: ensure-debian-packages.sh PACKAGES.txt}
[[ -r $list ]] || { echo "cannot read package list $list" >&2; exit 2; }

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run as root, then run make again:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi

echo "Installing Debian packages: ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
