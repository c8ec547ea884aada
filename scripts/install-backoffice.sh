#!/usr/bin/env bash
# Installs this repository as a back-office server on a plain Debian 12 machine, unattended:
# Debian packages, the `chengmai-backoffice` system user, the code and its own venv
# (.[backoffice]) as a release under /opt/chengmai-kiosk/releases, settings in
# /etc/chengmai-kiosk/backoffice.env, state (SQLite, generated keys, backups) in
# /var/lib/chengmai-backoffice, the service, the supervision sweep's and the nightly backup's
# timers enabled and started; the nginx TLS proxy's site, enabled once the county's
# certificate and key are in $TLS_DIR (run again after putting them there).
#
#   scripts/install-backoffice.sh [--bundle FILE] [--root DIR] [--dry-run] [--release NAME] [--workers N] [--python PY] [--service-ctl PROG]
#
# Over an installed back office it upgrades: the new release is installed beside the running
# one, the service stopped, the database backed up, the migrations run, the new release
# switched to and started, and its /ready awaited; when the migrations or /ready fail it
# switches back and restores the backup by itself (scripts/rollback-backoffice.sh later).
# --bundle FILE installs offline from `make bundle`'s tar (its code, Debian packages, wheels);
# --root DIR stages the files under DIR and leaves the machine alone (no apt, no users, no
# ownership, no venv unless from a bundle, no systemctl; --python and --service-ctl, described
# in scripts/backoffice-release.sh, let a test run the database and service steps); --dry-run
# prints what would be done; --release names the release (default: the time and commit);
# --workers N sets BACKOFFICE_WORKERS in the settings file (the service's server processes:
# 1 on SQLite, the default; on PostgreSQL about one per core), kept there for later installs.
set -euo pipefail
# shellcheck source=install-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-common.sh"
# shellcheck source=backoffice-release.sh
. "$(dirname "${BASH_SOURCE[0]}")/backoffice-release.sh"

TLS_DIR=/etc/chengmai-kiosk/tls  # the paths deploy/nginx/chengmai-backoffice.conf names
NGINX_SITE=chengmai-backoffice.conf

usage() { sed -n '10p' "$0" | sed 's/^#//'; exit 2; }
RELEASE=""
WORKERS=""
while (( $# )); do
  case $1 in
    --root) ROOT=$(realpath -m "${2:?}"); shift ;;
    --bundle) BUNDLE=$(realpath -m "${2:?}"); shift ;;
    --dry-run) DRY_RUN=1 ;;
    --release) RELEASE=${2:?}; shift ;;
    --workers) WORKERS=${2:?}; shift ;;
    --python) STAGING_PYTHON=$(realpath -ms "${2:?}"); shift ;;
    --service-ctl) SERVICE_CTL=$(realpath -ms "${2:?}"); shift ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
  shift
done
preflight
[[ -z $BUNDLE ]] || open_bundle backoffice
RELEASE=${RELEASE:-$(default_release_name)}
[[ $RELEASE =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "a release name is letters, digits, '.', '_' and '-'"
[[ -z $WORKERS || $WORKERS =~ ^[1-9][0-9]?$ ]] || die "--workers is a number of server processes, 1 to 99"

ensure_packages "$REPO/scripts/appliance-backoffice-packages.txt"
ensure_system_user "$SERVICE_USER" "$STATE_DIR" /usr/sbin/nologin

adopt_unreleased_install
PREVIOUS=$(current_release)
[[ $RELEASE != "$PREVIOUS" ]] || die "release $RELEASE is the one running: name a new one with --release"
# copy_code and make_venv install into $APP_DIR: here the new release's folder.
APP_DIR=$APP_DIR/releases/$RELEASE copy_code
APP_DIR=$APP_DIR/releases/$RELEASE make_venv backoffice
say "translations (the staff console's)"
APP_DIR=$APP_DIR/releases/$RELEASE build_catalogues
install_file 0755 "$REPO/deploy/bin/chengmai-backoffice" /usr/local/sbin/chengmai-backoffice

say "configuration in $CONF_DIR"
make_dir 0750 "$CONF_DIR"
install_config 0640 "$REPO/deploy/config/backoffice.env" "$CONF_DIR/backoffice.env"
machine chown "root:$SERVICE_USER" "$CONF_DIR/backoffice.env"
if [[ -n $WORKERS ]]; then
  # Replaces the setting (commented out or not) where it is, or adds it: the admin's other edits stay.
  if grep -q '^#* *BACKOFFICE_WORKERS=' "$ROOT$CONF_DIR/backoffice.env"; then
    files sed -i "s/^#* *BACKOFFICE_WORKERS=.*/BACKOFFICE_WORKERS=$WORKERS/" "$ROOT$CONF_DIR/backoffice.env"
  else
    files sh -c "echo BACKOFFICE_WORKERS=$WORKERS >> '$ROOT$CONF_DIR/backoffice.env'"
  fi
  say "server processes: $WORKERS (BACKOFFICE_WORKERS)"
fi

say "state in $STATE_DIR"
# systemd's StateDirectory= makes it too; made here so the admin command works before the
# service has ever started.
make_dir 0750 "$STATE_DIR" "$SERVICE_USER:$SERVICE_USER"

say "units"
for unit in chengmai-backoffice.service chengmai-backoffice-sweep.service chengmai-backoffice-sweep.timer \
            chengmai-backoffice-backup.service chengmai-backoffice-backup.timer; do
  install_file 0644 "$REPO/deploy/systemd/$unit" "/etc/systemd/system/$unit"
done
systemctl_step daemon-reload
if [[ -z $PREVIOUS ]]; then
  switch_to "$RELEASE"
  service_ctl enable --now "$SERVICE" "${TIMERS[@]}"
  # Not fatal: a county may not have named its database in backoffice.env yet.
  wait_ready || echo "warning: the back office is not ready: see journalctl -u $SERVICE and $CONF_DIR/backoffice.env"
else
  upgrade_from "$PREVIOUS" "$RELEASE"
  systemctl_step enable "$SERVICE" "${TIMERS[@]}"
  prune_releases
fi

say "TLS proxy (nginx)"
install_config 0644 "$REPO/deploy/nginx/$NGINX_SITE" "/etc/nginx/sites-available/$NGINX_SITE"
make_dir 0700 "$TLS_DIR"
if [[ -s $ROOT$TLS_DIR/backoffice.crt && -s $ROOT$TLS_DIR/backoffice.key ]]; then
  make_dir 0755 /etc/nginx/sites-enabled
  # Relative, so the link resolves in a staged tree as on the machine.
  files ln -sfn "../sites-available/$NGINX_SITE" "$ROOT/etc/nginx/sites-enabled/$NGINX_SITE"
  # Debian's welcome page is also the default server on port 80: ours answers there now.
  files rm -f "$ROOT/etc/nginx/sites-enabled/default"
  machine nginx -t
  systemctl_step enable nginx.service
  systemctl_step reload-or-restart nginx.service
else
  say "no certificate yet: the site is not enabled"
  echo "Put the county's certificate (with its intermediate CAs) in $TLS_DIR/backoffice.crt and its key"
  echo "in $TLS_DIR/backoffice.key (0600), then run this again to enable the TLS proxy."
fi

say "done${ROOT:+: staged under $ROOT}"
echo "Register each kiosk: chengmai-backoffice register-terminal CM-KIOSK-0002 --location ..."
