#!/usr/bin/env bash
# Every test, as two pytest processes side by side, split by layer: the back office's API
# and the unit tests in one; the kiosk's window, the devices (the machine's one pcscd among
# them), the journeys and the end-to-end runs in the other. Each starts its own servers, so
# neither waits on the other, and both cores work while one process waits on its servers.
# Output is streamed with a prefix per process; the exit status is the worse of the two.
# Arguments go to both (e.g. -x, -k EXPR).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

FIRST=(tests/api tests/unit)
SECOND=()
for folder in tests/*/; do  # every other test folder, so a new one is never left out
  folder=${folder%/}
  [[ " ${FIRST[*]} " == *" $folder "* || $folder == tests/__pycache__ ]] || SECOND+=("$folder")
done

run() {  # run PREFIX FOLDERS... -- ARGS...
  local prefix=$1; shift
  "$PY" -m pytest "$@" 2>&1 | sed -u "s/^/$prefix | /"
  return "${PIPESTATUS[0]}"
}

run "api " "${FIRST[@]}" "$@" & first=$!
run "kiosk" "${SECOND[@]}" "$@" & second=$!
wait "$first"; first_status=$?
wait "$second"; second_status=$?
echo "tests: ${FIRST[*]} exited $first_status; ${SECOND[*]} exited $second_status"
(( first_status > second_status )) && exit "$first_status"
exit "$second_status"
