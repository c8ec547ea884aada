#!/usr/bin/env bash
# Rolls the back office back from its last upgrade: the service stopped, the release the
# upgrade replaced switched to, the database restored from the backup taken before the
# upgrade's migrations (so the newer schema never runs under the older code), the service
# started and its /ready awaited. Migrations only go forward: whatever was written after the
# upgrade is lost, so it refuses while cases were received since, unless --force.
#
#   scripts/rollback-backoffice.sh [--force] [--root DIR] [--dry-run] [--python PY] [--service-ctl PROG]
#
# As root on the back-office server (also as /opt/chengmai-kiosk/app/scripts/rollback-backoffice.sh);
# --root, --dry-run, --python and --service-ctl as for scripts/install-backoffice.sh.
set -euo pipefail
# shellcheck source=install-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-common.sh"
# shellcheck source=backoffice-release.sh
. "$(dirname "${BASH_SOURCE[0]}")/backoffice-release.sh"

usage() { sed -n '8p' "$0" | sed 's/^#//'; exit 2; }
FORCE=0
while (( $# )); do
  case $1 in
    --force) FORCE=1 ;;
    --root) ROOT=$(realpath -m "${2:?}"); shift ;;
    --dry-run) DRY_RUN=1 ;;
    --python) STAGING_PYTHON=$(realpath -ms "${2:?}"); shift ;;
    --service-ctl) SERVICE_CTL=$(realpath -ms "${2:?}"); shift ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
  shift
done
preflight

CURRENT=$(current_release)
[[ -n $CURRENT ]] || die "no release is installed under $ROOT$APP_DIR/current"
PREVIOUS=$(upgrade_record "$CURRENT" from)
BACKUP=$(upgrade_record "$CURRENT" backup)
[[ -n $PREVIOUS && -n $BACKUP ]] || die "releases/$CURRENT was not installed by an upgrade: nothing to roll back to"
[[ -d $(releases_dir)/$PREVIOUS ]] || die "releases/$PREVIOUS is no longer installed"
say "rollback: releases/$CURRENT -> releases/$PREVIOUS, with the backup $BACKUP"

if can_run_database_steps; then
  [[ -f $BACKUP/manifest.json ]] || die "the backup $BACKUP is missing"
  # Asked of the running release's code, on its own schema, before anything stops.
  INFO=$(release_cli "$CURRENT" backup-info "$BACKUP") || die "releases/$CURRENT could not read $BACKUP: nothing changed"
  LOST=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1].splitlines()[-1])["cases_since"])' "$INFO")
  if (( LOST > 0 && ! FORCE )); then
    die "$LOST case(s) were received after the upgrade and the rollback would lose them (with everything" \
      "else written since $BACKUP was taken): --force to roll back anyway"
  fi
  (( LOST > 0 )) && say "--force: $LOST case(s) received after the upgrade are lost"
fi

restore_to "$PREVIOUS" "$BACKUP" || die "the rollback did not finish: see journalctl -u $SERVICE"
say "rolled back: releases/$PREVIOUS runs with the database as it was at $BACKUP"
