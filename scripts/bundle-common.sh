# The installers' offline path (--bundle FILE, a tar from scripts/make-bundle.sh), sourced by
# install-common.sh. Nothing from the bundle is used before every file in it has matched its
# manifest; pip then installs only the locks' files, by hash, from the bundle's wheels.

BUNDLE=""       # the tar given with --bundle
BUNDLE_DIR=""   # its one folder, unpacked and checked
BUNDLE_TMP=""

cleanup_bundle() { [[ -n $BUNDLE_TMP ]] && rm -rf "$BUNDLE_TMP"; return 0; }

# open_bundle ROLE: unpacks $BUNDLE and refuses it unless it is ROLE's and every file in it
# is in SHA256SUMS with its hash (and the tar matches FILE.sha256, when that is beside it).
open_bundle() {
  local role=$1 base
  [[ -r $BUNDLE ]] || die "cannot read the bundle $BUNDLE"
  say "bundle $BUNDLE"
  base=$(basename "$BUNDLE")
  if [[ -e $BUNDLE.sha256 ]]; then
    (cd "$(dirname "$BUNDLE")" && sha256sum --check --status "$base.sha256") ||
      die "$BUNDLE does not match $base.sha256: refusing to install it"
  else
    echo "   no $base.sha256 beside it: compare $(sha256sum "$BUNDLE" | cut -d' ' -f1) with what make bundle printed"
  fi
  BUNDLE_TMP=$(mktemp -d)
  trap cleanup_bundle EXIT
  tar -xf "$BUNDLE" -C "$BUNDLE_TMP" || die "$BUNDLE is not a readable tar file"
  local folders=("$BUNDLE_TMP"/*)
  (( ${#folders[@]} == 1 )) && [[ -f ${folders[0]}/SHA256SUMS ]] || die "$BUNDLE is not a bundle: no SHA256SUMS"
  BUNDLE_DIR=${folders[0]}
  [[ $(basename "$BUNDLE_DIR") == chengmai-$role-* ]] || die "$BUNDLE is not a $role bundle"
  local bad
  bad=$(cd "$BUNDLE_DIR" && sha256sum --check --strict --quiet SHA256SUMS 2>&1) ||
    die "$BUNDLE: files changed since it was built, refusing to install:
$bad"
  # A file the manifest does not name (a .deb apt would pick up) is refused as well.
  bad=$(cd "$BUNDLE_DIR" && comm -13 <(sed 's/^[0-9a-f]*  //' SHA256SUMS | sort) \
    <(find . -type f ! -name SHA256SUMS -printf '%P\n' | sort))
  [[ -z $bad ]] || die "$BUNDLE: files not in its manifest, refusing to install:
$bad"
  say "bundle checked: $(grep -c . "$BUNDLE_DIR/SHA256SUMS") files match SHA256SUMS"
}

# The bundle's .deb files as apt's only source (its own lists, no cache file written), so it
# installs what is missing of the role's packages and their dependencies with no network.
ensure_bundle_packages() {
  local debs=$BUNDLE_DIR/debian/debs apt_dir=$BUNDLE_TMP/apt
  if [[ ! -e $debs/Packages.gz ]]; then
    say "the bundle has no .deb files (made with --no-debs): Debian packages from apt's sources"
    machine env DEBIAN_FRONTEND=noninteractive "$REPO/scripts/ensure-debian-packages.sh" "$BUNDLE_DIR/debian/wanted.txt"
    return 0
  fi
  say "Debian packages from the bundle ($(grep -c . "$BUNDLE_DIR/debian/packages.txt") with their dependencies)"
  mkdir -p "$apt_dir/lists/partial"
  echo "deb [trusted=yes] file:$debs ./" > "$apt_dir/sources.list"
  local apt=(apt-get -q -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
             -o "Dir::State::Lists=$apt_dir/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
             -o APT::Sandbox::User=root -o Acquire::CompressionTypes::Order::=gz)
  mapfile -t wanted < "$BUNDLE_DIR/debian/wanted.txt"
  machine "${apt[@]}" update
  machine env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${wanted[@]}"
}

# make_bundle_venv EXTRA: the venv from the bundle alone: no index, no pip configuration of
# this machine, only files whose hashes the locks give. It writes files only, so a staged
# install builds it under DIR too (its scripts then name the staged path).
make_bundle_venv() {
  local venv=$ROOT$APP_DIR/venv
  local pip=(env PIP_CONFIG_FILE=/dev/null "$venv/bin/python" -m pip --isolated --disable-pip-version-check
             install --quiet --no-index --find-links "$BUNDLE_DIR/wheels")
  say "virtualenv $APP_DIR/venv with .[$1], offline from the bundle"
  files python3 -m venv "$venv"
  files "${pip[@]}" --require-hashes -r "$BUNDLE_DIR/requirements/build.lock"
  # The locked build tools build the few sdists (and the project) themselves: none fetched.
  files "${pip[@]}" --require-hashes --no-build-isolation -r "$BUNDLE_DIR/requirements/$1.lock"
  files "${pip[@]}" --no-deps --no-build-isolation -e "$ROOT$APP_DIR/app"
  files "$venv/bin/python" -m compileall -q "$ROOT$APP_DIR/app"
}
