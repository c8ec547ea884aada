#!/usr/bin/env bash
# Installs this repository as a kiosk appliance on a plain Debian 12 machine, unattended:
# Debian packages, the unprivileged `kiosk` user logged in automatically by lightdm into a
# session that runs nothing but the kiosk (a systemd user service with a watchdog), the code
# and its own venv (.[kiosk]) under /opt/chengmai-kiosk, the configuration in
# /etc/chengmai-kiosk (lockdown on, demo off, the chosen hardware profile), state in
# /var/lib/chengmai-kiosk, logs in /var/log/chengmai-kiosk. The terminal secret and the
# outbox key belong to the key holder (user chengmai-keys, /etc/chengmai-keys, a system
# service), which signs and seals for the kiosk: the kiosk user cannot read them.
#
#   scripts/install-kiosk.sh --profile floor-215 [--terminal-id CM-KIOSK-0002]
#       [--backoffice-url https://backoffice.example:8700] [--secret-file FILE]
#       [--bundle FILE] [--root DIR] [--dry-run]
#
# --bundle FILE installs offline from `make bundle`'s tar (its code, Debian packages, wheels);
# --root DIR stages the files under DIR and leaves the machine alone (no apt, no users, no
# ownership, no venv unless from a bundle, no systemctl); --dry-run prints what would be done.
set -euo pipefail
# shellcheck source=install-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-common.sh"

PROFILE=""
TERMINAL_ID=CM-KIOSK-0001
BACKOFFICE_URL=https://backoffice.invalid:8700
SECRET_FILE=""
KIOSK_USER=kiosk
KIOSK_GROUPS=dialout,video,input,audio,lp,plugdev
KEYS_USER=chengmai-keys
KEYS_DIR=/etc/chengmai-keys
STATE_DIR=/var/lib/chengmai-kiosk
LOG_DIR=/var/log/chengmai-kiosk

usage() { sed -n '11,13p' "$0" | sed 's/^#//'; exit 2; }
while (( $# )); do
  case $1 in
    --profile) PROFILE=${2:?}; shift ;;
    --terminal-id) TERMINAL_ID=${2:?}; shift ;;
    --backoffice-url) BACKOFFICE_URL=${2:?}; shift ;;
    --secret-file) SECRET_FILE=${2:?}; shift ;;
    --root) ROOT=$(realpath -m "${2:?}"); shift ;;
    --bundle) BUNDLE=$(realpath -m "${2:?}"); shift ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
  shift
done
[[ -n $PROFILE ]] || { echo "--profile is required: one of $(cd "$REPO/config/profiles" && ls | sed 's/\.toml$//' | xargs)" >&2; exit 2; }
[[ -r $REPO/config/profiles/$PROFILE.toml ]] || die "no hardware profile config/profiles/$PROFILE.toml"
[[ $TERMINAL_ID =~ ^[A-Za-z0-9_.-]+$ ]] || die "terminal id: letters, digits, . _ - only"
[[ $BACKOFFICE_URL =~ ^https?://[^\"[:space:]]+$ ]] || die "back-office URL: http(s)://host[:port]"
[[ -z $SECRET_FILE || -r $SECRET_FILE ]] || die "cannot read $SECRET_FILE"
preflight
[[ -z $BUNDLE ]] || open_bundle kiosk

ensure_packages "$REPO/scripts/appliance-kiosk-packages.txt"
ensure_system_user "$KIOSK_USER" /home/$KIOSK_USER /bin/bash "$KIOSK_GROUPS"
ensure_service_user "$KEYS_USER"

# The code as the first release: $APP_DIR/releases/VERSION, `current` pointing at it and
# $APP_DIR/app at `current`. Updates from afar (kiosk/ops/updates/) unpack later releases
# beside it and switch `current`: the releases folder is the kiosk user's.
RELEASE=$(sed -n 's/^version = "\([0-9.]*\)".*/\1/p' "$REPO/pyproject.toml" | head -n 1)
RELEASES=$APP_DIR/releases
if [[ -d $ROOT$APP_DIR/app && ! -L $ROOT$APP_DIR/app ]]; then
  files rm -rf "$ROOT$APP_DIR/app"  # an install from before releases: the code moves under releases/
fi
copy_code "$RELEASES/$RELEASE"
files sh -c "echo $RELEASE > '$ROOT$RELEASES/$RELEASE/RELEASE'"
files ln -sfn "$RELEASE" "$ROOT$RELEASES/current"
files ln -sfn releases/current "$ROOT$APP_DIR/app"
make_venv kiosk
# Imports go through $APP_DIR/app, read at each start: setuptools' editable finder would
# have pinned the release folder it resolved the link to, so a plain .pth replaces it.
machine sh -c "cd $APP_DIR/venv/lib/python3*/site-packages && rm -f __editable__*chengmai_kiosk* \
  && echo $APP_DIR/app > chengmai-kiosk-app.pth"
build_assets
machine chown -R "$KIOSK_USER:$KIOSK_USER" "$RELEASES"
# The unit's start guard: outside the releases, so a broken release cannot break its own rollback.
install_file 0755 "$REPO/kiosk/ops/updates/layout.py" "$APP_DIR/bin/kiosk-update-guard"
install_file 0755 "$REPO/deploy/session/chengmai-kiosk-session" "$APP_DIR/bin/chengmai-kiosk-session"
install_file 0755 "$REPO/deploy/bin/chengmai-kiosk-diag" /usr/local/sbin/chengmai-kiosk-diag

say "configuration in $CONF_DIR"
make_dir 0750 "$CONF_DIR" "root:$KIOSK_USER"
rendered=$(mktemp)
trap 'rm -f "$rendered"; cleanup_bundle' EXIT
sed -e "s|@PROFILE@|$PROFILE|" -e "s|@TERMINAL_ID@|$TERMINAL_ID|" -e "s|@BACKOFFICE_URL@|$BACKOFFICE_URL|" \
  "$REPO/deploy/config/kiosk.toml.in" > "$rendered"
install_config 0640 "$rendered" "$CONF_DIR/kiosk.toml"
machine chown "root:$KIOSK_USER" "$CONF_DIR/kiosk.toml"
# The keys: the key holder's, in its own folder. A kiosk.toml from before the key holder
# (an edited one is kept) still reads them itself: they stay where it looks until it is merged.
installed_config=$ROOT$CONF_DIR/kiosk.toml
[[ -e $installed_config ]] || installed_config=$rendered  # a dry run wrote none
if grep -q '^key_holder_socket' "$installed_config"; then
  say "keys in $KEYS_DIR, the key holder's"
  KEYS_OWNER=$KEYS_USER
  make_dir 0700 "$KEYS_DIR" "$KEYS_USER:$KEYS_USER"
  # Keys a previous install gave the kiosk user are moved, never copied: none stays readable to it.
  for name in terminal.secret outbox.key; do
    if [[ -e $ROOT$CONF_DIR/$name && ! -e $ROOT$KEYS_DIR/$name ]]; then
      files mv "$ROOT$CONF_DIR/$name" "$ROOT$KEYS_DIR/$name"
    fi
  done
  secret=$KEYS_DIR/terminal.secret
  outbox_key=$KEYS_DIR/outbox.key
else
  say "$CONF_DIR/kiosk.toml has no key_holder_socket: the kiosk keeps reading its keys (merge kiosk.toml.new)"
  KEYS_OWNER=$KIOSK_USER
  secret=$CONF_DIR/terminal.secret
  outbox_key=$CONF_DIR/outbox.key
fi
# The terminal's HMAC secret: readable by its owner only, kept across reinstalls.
if [[ -n $SECRET_FILE ]]; then
  files install -D -m 0600 "$SECRET_FILE" "$ROOT$secret"
elif [[ ! -e $ROOT$secret ]]; then
  files install -D -m 0600 /dev/null "$ROOT$secret"
fi
files chmod 0600 "$ROOT$secret"
machine chown "$KEYS_OWNER:$KEYS_OWNER" "$secret"
# The outbox key (32 random bytes, hex): apart from the outbox under the state folder, so a
# copy of /var/lib alone does not open the applications waiting in it. Kept across reinstalls.
if [[ ! -e $ROOT$outbox_key ]]; then
  key_file=$(mktemp)
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$key_file"
  echo >> "$key_file"
  files install -D -m 0600 "$key_file" "$ROOT$outbox_key"
  rm -f "$key_file"
fi
files chmod 0600 "$ROOT$outbox_key"
machine chown "$KEYS_OWNER:$KEYS_OWNER" "$outbox_key"

say "state in $STATE_DIR, logs in $LOG_DIR"
make_dir 0750 "$STATE_DIR" "$KIOSK_USER:$KIOSK_USER"
make_dir 0750 "$LOG_DIR" "$KIOSK_USER:adm"
# The kiosk writes its JSON-lines log under var_dir/log: that is the log folder.
files ln -sfn "$LOG_DIR" "$ROOT$STATE_DIR/log"

say "session, units and lockdown"
install_file 0644 "$REPO/deploy/systemd/chengmai-kiosk.service" /etc/systemd/user/chengmai-kiosk.service
install_file 0644 "$REPO/deploy/systemd/chengmai-keyholder.service" /etc/systemd/system/chengmai-keyholder.service
install_file 0644 "$REPO/deploy/session/chengmai-kiosk.desktop" /usr/share/xsessions/chengmai-kiosk.desktop
install_file 0644 "$REPO/deploy/lightdm/50-chengmai-kiosk.conf" /etc/lightdm/lightdm.conf.d/50-chengmai-kiosk.conf
install_file 0644 "$REPO/deploy/xorg/50-chengmai-kiosk.conf" /etc/X11/xorg.conf.d/50-chengmai-kiosk.conf
install_file 0644 "$REPO/deploy/udev/60-chengmai-kiosk.rules" /etc/udev/rules.d/60-chengmai-kiosk.rules
install_file 0644 "$REPO/deploy/system/logind-50-chengmai-kiosk.conf" /etc/systemd/logind.conf.d/50-chengmai-kiosk.conf
install_file 0644 "$REPO/deploy/system/sysctl-50-chengmai-kiosk.conf" /etc/sysctl.d/50-chengmai-kiosk.conf

say "enable"
# The kiosk unit is started by the session, not enabled: it needs the session's display.
systemctl_step daemon-reload
systemctl_step enable lightdm.service
# Before the session: the kiosk signs and seals nothing without it.
systemctl_step enable chengmai-keyholder.service
systemctl_step set-default graphical.target
machine udevadm control --reload-rules
# CUPS keeps a job's document a day by default: a printed licence carries its holder's name.
machine cupsctl PreserveJobFiles=No
machine sysctl --quiet --load /etc/sysctl.d/50-chengmai-kiosk.conf

say "done: kiosk $TERMINAL_ID, profile $PROFILE${ROOT:+, staged under $ROOT}"
[[ $BACKOFFICE_URL == https://backoffice.invalid:8700 ]] && echo "Set [backoffice] url in $CONF_DIR/kiosk.toml."
[[ -s $ROOT$secret ]] ||
  echo "Write the terminal's secret (kiosk-backoffice register-terminal $TERMINAL_ID) to $secret (owner $KEYS_OWNER, 0600)."
staging || (( DRY_RUN )) || echo "Reboot to start the kiosk session."
