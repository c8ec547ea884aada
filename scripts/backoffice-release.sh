# Releases of the back office, shared by scripts/install-backoffice.sh and
# scripts/rollback-backoffice.sh (sourced after install-common.sh, not run).
#
# Each install goes to $APP_DIR/releases/NAME/{app,venv}; $APP_DIR/current points at the one
# the service runs and $APP_DIR/app, $APP_DIR/venv point through it, so the units never change
# and a rollback is a switch of one link. An upgrade leaves releases/NAME/UPGRADE (from=, the
# release it replaced; backup=, the backup taken before its migrations) for the rollback.
#
# Staging (--root) runs the database steps only with --python PY (the staged release's code
# under PY, on the database the staged backoffice.env names) and the service's start and stop
# only with --service-ctl PROG (called as systemctl would be); otherwise it records them.

SERVICE_USER=chengmai-backoffice
STATE_DIR=/var/lib/chengmai-backoffice
SERVICE=chengmai-backoffice.service
TIMERS=(chengmai-backoffice-sweep.timer chengmai-backoffice-backup.timer)
UPGRADE_BACKUPS=$STATE_DIR/upgrade-backups
STAGING_PYTHON=""
SERVICE_CTL=""
READY_TIMEOUT_S=${BACKOFFICE_READY_TIMEOUT_S:-90}

releases_dir() { echo "$ROOT$APP_DIR/releases"; }

# The release $APP_DIR/current points at; empty before the first install in this layout.
current_release() {
  local link=$ROOT$APP_DIR/current
  [[ -L $link ]] && basename "$(readlink "$link")"
  return 0
}

# upgrade_record RELEASE KEY: a value from the release's UPGRADE file.
upgrade_record() {
  local file
  file=$(releases_dir)/$1/UPGRADE
  [[ -f $file ]] && sed -n "s/^$2=//p" "$file"
  return 0
}

# switch_to RELEASE: the current link replaced in one rename, never missing in between.
switch_to() {
  say "current -> releases/$1"
  files ln -sfn "releases/$1" "$ROOT$APP_DIR/current.new"
  files mv -T "$ROOT$APP_DIR/current.new" "$ROOT$APP_DIR/current"
  # Relative, so they resolve in a staged tree as on the machine.
  files ln -sfn current/app "$ROOT$APP_DIR/app"
  files ln -sfn current/venv "$ROOT$APP_DIR/venv"
}

can_run_database_steps() {
  if staging; then [[ -n $STAGING_PYTHON ]]; else (( ! DRY_RUN )); fi
}

# release_cli RELEASE ARGS...: that release's kiosk-backoffice as the service runs it (its
# user, the environment file); its standard output is the command's.
release_cli() {
  local release=$1
  shift
  if ! can_run_database_steps; then
    machine "$APP_DIR/releases/$release/venv/bin/kiosk-backoffice" "$@"
    return 0
  fi
  if staging; then
    (set -a && BACKOFFICE_VAR_DIR=$ROOT$STATE_DIR && . "$ROOT$CONF_DIR/backoffice.env" && set +a &&
      cd "$(releases_dir)/$release/app" && "$STAGING_PYTHON" -m backoffice "$@")
  else
    (set -a && BACKOFFICE_VAR_DIR=$STATE_DIR && . "$CONF_DIR/backoffice.env" && set +a &&
      runuser -u "$SERVICE_USER" -- "$APP_DIR/releases/$release/venv/bin/kiosk-backoffice" "$@")
  fi
}

# service_ctl ACTION UNIT...: systemctl, or the staging stand-in given with --service-ctl.
service_ctl() {
  if staging && [[ -n $SERVICE_CTL ]]; then
    "$SERVICE_CTL" "$@"
  else
    systemctl_step "$@"
  fi
}

can_check_service() {
  if staging; then [[ -n $SERVICE_CTL ]]; else (( ! DRY_RUN )); fi
}

# wait_ready: the service answers /ready (database reachable, schema at the code's head).
wait_ready() {
  if ! can_check_service; then
    machine wait-for "http://127.0.0.1:8700/ready"
    return 0
  fi
  local url
  url=$(set -a && BACKOFFICE_HOST=127.0.0.1 && BACKOFFICE_PORT=8700 && . "$ROOT$CONF_DIR/backoffice.env" &&
        echo "http://$BACKOFFICE_HOST:$BACKOFFICE_PORT/ready")
  say "waiting up to ${READY_TIMEOUT_S}s for $url"
  python3 - "$url" "$READY_TIMEOUT_S" <<'EOF'
import sys, time, urllib.request
url, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while True:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            if answer.status == 200:
                sys.exit(0)
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit(f"   {url} did not answer ready")
    time.sleep(1)
EOF
}

# The service and the timers that run the release's code, stopped or started together (a
# sweep or nightly backup under way is stopped too: neither may run across a migration).
stop_service() { service_ctl stop "$SERVICE" "${TIMERS[@]}" "${TIMERS[@]/%.timer/.service}"; }
start_service() { service_ctl start "$SERVICE" "${TIMERS[@]}"; }

# take_upgrade_backup RELEASE: a backup by that release's code; its folder in $UPGRADE_BACKUP.
take_upgrade_backup() {
  local release=$1 out keys=() folder=$UPGRADE_BACKUPS
  UPGRADE_BACKUP=""
  # The keys too when the county set a passphrase; without one the keys stay where they are.
  if (set -a && . "$ROOT$CONF_DIR/backoffice.env" && [[ -n ${BACKOFFICE_BACKUP_PASSPHRASE:-} ]]); then
    keys=(--keys)
  fi
  if ! can_run_database_steps; then
    release_cli "$release" backup "$folder" "${keys[@]}"
    return 0
  fi
  staging && folder=$ROOT$folder
  out=$(release_cli "$release" backup "$folder" "${keys[@]}") || return 1
  UPGRADE_BACKUP=${out##*$'\n'}
  echo "   $UPGRADE_BACKUP"
}

# restore_to RELEASE BACKUP: switch back to RELEASE, then its code puts the backup back.
restore_to() {
  local release=$1 backup=$2
  stop_service
  switch_to "$release"
  say "restoring $backup"
  release_cli "$release" restore "$backup" || return 1
  start_service
  wait_ready
}

# A name for a new release: when it was installed, and the commit when there is one.
default_release_name() {
  local commit=""
  if [[ -d $REPO/.git ]] && command -v git >/dev/null; then
    commit=$(git -C "$REPO" rev-parse --short=10 HEAD 2>/dev/null || true)
  fi
  echo "$(date -u +%Y%m%dT%H%M%SZ)${commit:+-$commit}"
}

# An install from before releases kept its code in $APP_DIR/app and $APP_DIR/venv: it
# becomes releases/legacy, so an upgrade from it can be rolled back like any other.
adopt_unreleased_install() {
  local part
  [[ -d $ROOT$APP_DIR/app && ! -L $ROOT$APP_DIR/app ]] || return 0
  say "the installed code becomes releases/legacy"
  files mkdir -p "$(releases_dir)/legacy"
  for part in app venv; do
    [[ -e $ROOT$APP_DIR/$part ]] && files mv "$ROOT$APP_DIR/$part" "$(releases_dir)/legacy/$part"
  done
  switch_to legacy
}

# Releases other than the current one and the one it replaced go: a venv is large.
prune_releases() {
  local current previous dir name
  current=$(current_release)
  previous=$(upgrade_record "$current" from)
  for dir in "$(releases_dir)"/*/; do
    name=$(basename "$dir")
    [[ $name == "$current" || $name == "$previous" ]] && continue
    say "removing the old release $name"
    files rm -rf "$dir"
  done
}

# upgrade_from OLD NEW: backup, migrations, switch, start, /ready; on failure OLD comes back
# with its backup and the script stops (non-zero exit).
upgrade_from() {
  local old=$1 new=$2 backup
  say "upgrade: releases/$old -> releases/$new"
  stop_service
  say "backup before the migrations (by releases/$old)"
  if ! take_upgrade_backup "$old"; then
    start_service
    die "the backup failed: nothing changed, releases/$old is running again"
  fi
  backup=$UPGRADE_BACKUP
  files sh -c 'printf "from=%s\nbackup=%s\n" "$1" "$2" > "$3"' sh "$old" "$backup" "$(releases_dir)/$new/UPGRADE"
  say "migrations (by releases/$new)"
  if ! release_cli "$new" migrate; then
    upgrade_failed "$old" "$new" "$backup" "the migrations failed"
  fi
  switch_to "$new"
  start_service
  if ! wait_ready; then
    upgrade_failed "$old" "$new" "$backup" "the new release did not answer /ready"
  fi
  say "upgraded to releases/$new; the backup from before it: $backup"
  echo "To go back to releases/$old and that backup: scripts/rollback-backoffice.sh"
}

upgrade_failed() {
  local old=$1 new=$2 backup=$3 reason=$4
  say "$reason: rolling back to releases/$old"
  restore_to "$old" "$backup" || die "$reason, and the rollback to releases/$old failed too: see" \
    "journalctl -u $SERVICE; the backup from before the upgrade is $backup"
  die "$reason (journalctl -u $SERVICE): releases/$old is running again with its data from $backup"
}
