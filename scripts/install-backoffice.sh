#!/usr/bin/env bash
# Installs this repository as a back-office server on a plain Debian 12 machine, unattended:
# Debian packages, the `chengmai-backoffice` system user, the code and its own venv
# (.[backoffice]) under /opt/chengmai-kiosk, settings in /etc/chengmai-kiosk/backoffice.env,
# state (SQLite, generated keys) in /var/lib/chengmai-backoffice, the service and the
# supervision sweep's timer enabled and started; the nginx TLS proxy's site, enabled once the
# county's certificate and key are in $TLS_DIR (run again after putting them there).
#
#   scripts/install-backoffice.sh [--bundle FILE] [--root DIR] [--dry-run]
#
# --bundle FILE installs offline from `make bundle`'s tar (its code, Debian packages, wheels);
# --root DIR stages the files under DIR and leaves the machine alone (no apt, no users, no
# ownership, no venv unless from a bundle, no systemctl); --dry-run prints what would be done.
set -euo pipefail
# shellcheck source=install-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-common.sh"

SERVICE_USER=chengmai-backoffice
STATE_DIR=/var/lib/chengmai-backoffice
TLS_DIR=/etc/chengmai-kiosk/tls  # the paths deploy/nginx/chengmai-backoffice.conf names
NGINX_SITE=chengmai-backoffice.conf

usage() { sed -n '9p' "$0" | sed 's/^#//'; exit 2; }
while (( $# )); do
  case $1 in
    --root) ROOT=$(realpath -m "${2:?}"); shift ;;
    --bundle) BUNDLE=$(realpath -m "${2:?}"); shift ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
  shift
done
preflight
[[ -z $BUNDLE ]] || open_bundle backoffice

ensure_packages "$REPO/scripts/appliance-backoffice-packages.txt"
ensure_system_user "$SERVICE_USER" "$STATE_DIR" /usr/sbin/nologin

copy_code
make_venv backoffice
install_file 0755 "$REPO/deploy/bin/chengmai-backoffice" /usr/local/sbin/chengmai-backoffice

say "configuration in $CONF_DIR"
make_dir 0750 "$CONF_DIR"
install_config 0640 "$REPO/deploy/config/backoffice.env" "$CONF_DIR/backoffice.env"
machine chown "root:$SERVICE_USER" "$CONF_DIR/backoffice.env"

say "state in $STATE_DIR"
# systemd's StateDirectory= makes it too; made here so the admin command works before the
# service has ever started.
make_dir 0750 "$STATE_DIR" "$SERVICE_USER:$SERVICE_USER"

say "units"
for unit in chengmai-backoffice.service chengmai-backoffice-sweep.service chengmai-backoffice-sweep.timer; do
  install_file 0644 "$REPO/deploy/systemd/$unit" "/etc/systemd/system/$unit"
done
systemctl_step daemon-reload
systemctl_step enable --now chengmai-backoffice.service chengmai-backoffice-sweep.timer

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
