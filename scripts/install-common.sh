# Shared by scripts/install-kiosk.sh and scripts/install-backoffice.sh (sourced, not run).
#
# Two kinds of step:
#   files   written under $ROOT (the machine itself when ROOT is empty), so a test can stage
#           an install into a temporary folder and look at what it would leave;
#   machine steps (apt, users, ownership, the virtualenv, systemctl) change the running
#           machine: skipped, and said so, when staging with --root; --dry-run prints them.
# From a bundle (--bundle FILE, bundle-common.sh) the virtualenv is files: built under $ROOT.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=""
DRY_RUN=0
APP_DIR=/opt/chengmai-kiosk          # code (app/), its venv (venv/), helper scripts (bin/)
CONF_DIR=/etc/chengmai-kiosk

die() { echo "error: $*" >&2; exit 2; }
say() { echo "== $*"; }

staging() { [[ -n $ROOT ]]; }

# shellcheck source=bundle-common.sh
. "$REPO/scripts/bundle-common.sh"

# A step that changes the machine: skipped when staging, printed on a dry run.
machine() {
  if staging; then
    echo "   staged, not run: $*"
  elif (( DRY_RUN )); then
    echo "   would run: $*"
  else
    "$@"
  fi
}

# Writes under $ROOT: skipped on a dry run (unless staging: a staged run is its own dry run).
files() {
  if (( DRY_RUN )) && ! staging; then
    echo "   would run: $*"
  else
    "$@"
  fi
}

preflight() {
  staging && return 0
  (( DRY_RUN )) && return 0
  [[ $(id -u) -eq 0 ]] || die "run as root (or stage with --root DIR, or look with --dry-run)"
  if [[ -r /etc/os-release ]]; then
    # shellcheck disable=SC1091
    . /etc/os-release
    [[ ${VERSION_ID:-} == 12 ]] || echo "warning: made for Debian 12, this is ${PRETTY_NAME:-unknown}" >&2
  fi
}

# install_file MODE SOURCE DEST: DEST is the path on the installed machine.
install_file() {
  files install -D -m "$1" "$2" "$ROOT$3"
}

# A configuration file the administrator may edit: written once; a reinstall writes
# DEST.new beside an edited one instead of overwriting it.
install_config() {
  local mode=$1 source=$2 dest=$3
  if [[ -e $ROOT$dest ]] && ! cmp -s "$source" "$ROOT$dest"; then
    say "$dest exists and differs: the new one is $dest.new"
    dest=$dest.new
  fi
  install_file "$mode" "$source" "$dest"
}

# make_dir MODE DEST [OWNER:GROUP]
make_dir() {
  files install -d -m "$1" "$ROOT$2"
  [[ -n ${3:-} ]] && machine chown "$3" "$2"
  return 0
}

ensure_packages() {
  if [[ -n $BUNDLE_DIR ]]; then
    ensure_bundle_packages
    return 0
  fi
  say "Debian packages ($1)"
  machine env DEBIAN_FRONTEND=noninteractive "$REPO/scripts/ensure-debian-packages.sh" "$1"
}

# ensure_system_user NAME HOME SHELL [GROUPS]
ensure_system_user() {
  local name=$1 home=$2 shell=$3 groups=${4:-}
  say "user $name"
  if staging || (( DRY_RUN )); then
    machine useradd --system --user-group --home-dir "$home" --shell "$shell" ${groups:+--groups "$groups"} "$name"
    return 0
  fi
  if ! id -u "$name" >/dev/null 2>&1; then
    useradd --system --user-group --create-home --home-dir "$home" --shell "$shell" "$name"
  fi
  [[ -n $groups ]] && usermod --append --groups "$groups" "$name"
  return 0
}

# ensure_service_user NAME: a user that only runs a service: no home, no login.
ensure_service_user() {
  local name=$1
  say "user $name"
  if staging || (( DRY_RUN )); then
    machine useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$name"
    return 0
  fi
  id -u "$name" >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$name"
}

# The code: the repository's tracked files (and the built translations and input-method
# dictionary when this checkout has them), or the bundle's, copied to $APP_DIR/app (or the
# folder given).
copy_code() {
  local target=${1:-$APP_DIR/app}
  say "code -> $target"
  local dest=$ROOT$target
  if (( DRY_RUN )) && ! staging; then
    echo "   would copy the repository's files to $dest"
    return 0
  fi
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
  if [[ -n $BUNDLE_DIR ]]; then
    cp -a "$BUNDLE_DIR/app/." "$dest.tmp"
    rm -rf "$dest" && mv "$dest.tmp" "$dest"
    return 0
  fi
  if [[ -d $REPO/.git ]] && command -v git >/dev/null; then
    # Tracked files as they are in this checkout (a file deleted here is left out).
    (cd "$REPO" && git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$dest.tmp"
  else
    tar -C "$REPO" --exclude=.git --exclude=.venv --exclude=var --exclude='__pycache__' -cf - . | tar -xf - -C "$dest.tmp"
  fi
  # Built, not tracked: the compiled catalogues and the input method's dictionary.
  (cd "$REPO" && find assets \( -name '*.mo' -o -name 'pinyin.tsv.gz' \) -print0 | tar --null -T - -cf -) | tar -xf - -C "$dest.tmp"
  rm -rf "$dest" && mv "$dest.tmp" "$dest"
}

# make_venv EXTRA: $APP_DIR/venv with the project installed editable (kiosk/paths.py finds
# assets/ and config/ beside the code) and only the one extra.
make_venv() {
  if [[ -n $BUNDLE_DIR ]]; then
    make_bundle_venv "$1"
    return 0
  fi
  say "virtualenv $APP_DIR/venv with .[$1]"
  machine python3 -m venv "$APP_DIR/venv"
  machine "$APP_DIR/venv/bin/python" -m pip install --quiet --upgrade pip
  machine "$APP_DIR/venv/bin/python" -m pip install --quiet -e "$APP_DIR/app[$1]"
  # The service user cannot write __pycache__ under /opt: compile once here.
  machine "$APP_DIR/venv/bin/python" -m compileall -q "$APP_DIR/app"
}

# The compiled translation catalogues (the kiosk's and the staff console's), where a checkout
# lacks them (Debian's msgfmt, package gettext).
build_catalogues() {
  machine sh -c "for po in $APP_DIR/app/assets/locale/*/LC_MESSAGES/*.po; do
    [ -e \"\${po%.po}.mo\" ] || msgfmt --use-fuzzy -o \"\${po%.po}.mo\" \"\$po\"; done"
}

# What `make setup` builds and a checkout may lack: the compiled catalogues (Debian's
# msgfmt) and the pinyin dictionary (built in a throwaway venv with the dev tools it needs).
build_assets() {
  say "translations and the pinyin dictionary"
  build_catalogues
  local dict=$APP_DIR/app/assets/ime/pinyin.tsv.gz
  # A bundle has it: make-bundle.sh refuses to make a kiosk bundle without it.
  if [[ -z $BUNDLE_DIR ]] && { staging || (( DRY_RUN )) || [[ ! -e $dict ]]; }; then
    machine sh -c "tools=\$(mktemp -d) && python3 -m venv \$tools && \$tools/bin/pip install --quiet jieba pypinyin hanzidentifier \
      && \$tools/bin/python $APP_DIR/app/scripts/build_pinyin_dictionary.py $dict >/dev/null; status=\$?; rm -rf \$tools; exit \$status"
  fi
}

systemctl_step() {
  machine systemctl "$@"
}
