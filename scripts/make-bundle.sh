#!/usr/bin/env bash
# Builds one appliance role's offline install bundle on a connected Debian 12 machine (`make
# bundle`), for scripts/install-kiosk.sh / install-backoffice.sh --bundle FILE on a target
# with no internet. One tar file, OUT/chengmai-ROLE-VERSION.tar, holding one folder:
#   app/                  the code: this checkout's tracked files and its built assets
#   requirements/         ROLE.lock and build.lock, as in this checkout
#   wheels/               every file those locks pin, by hash
#   debian/packages.txt   the role's Debian packages and all they depend on, name=version
#   debian/debs/          those packages' .deb files and a Packages.gz index (not with --no-debs)
#   built-from.txt        the commit (git describe --dirty) and the time
#   SHA256SUMS            every other file's SHA-256, checked before anything is installed
# and beside it FILE.sha256, the whole tar's, to compare with what this printed.
#
#   scripts/make-bundle.sh --role kiosk|backoffice [--out DIR] [--no-debs]
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
ROLE=""
OUT=$REPO/var/bundle
DEBS=1

die() { echo "error: $*" >&2; exit 2; }
while (( $# )); do
  case $1 in
    --role) ROLE=${2:?}; shift ;;
    --out) OUT=$(realpath -m "${2:?}"); shift ;;
    --no-debs) DEBS=0 ;;
    *) die "unknown option $1 (scripts/make-bundle.sh --role kiosk|backoffice [--out DIR] [--no-debs])" ;;
  esac
  shift
done
[[ $ROLE == kiosk || $ROLE == backoffice ]] || die "--role kiosk or --role backoffice"
for lock in "$ROLE" build; do
  [[ -r $REPO/requirements/$lock.lock ]] || die "no requirements/$lock.lock: make lock"
done
if [[ $ROLE == kiosk ]]; then
  # The kiosk reads them; the target cannot build the dictionary without the internet.
  [[ -e $REPO/assets/ime/pinyin.tsv.gz ]] || die "no assets/ime/pinyin.tsv.gz: make setup first"
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/pyproject.toml" | head -n1)
name=chengmai-$ROLE-$version
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=$work/$name
mkdir -p "$dir/app" "$dir/wheels" "$dir/debian" "$dir/requirements"

echo "== code"
# Which commit it is, and whether the checkout had changes: the bundle takes the files as they are.
(cd "$REPO" && git describe --always --dirty --abbrev=12 && date -u +%FT%TZ) > "$dir/built-from.txt"
(cd "$REPO" && git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$dir/app"
(cd "$REPO" && find assets \( -name '*.mo' -o -name 'pinyin.tsv.gz' \) -print0 | tar --null -T - -cf -) |
  tar -xf - -C "$dir/app"

echo "== wheels (build.lock, $ROLE.lock)"
cp "$REPO/requirements/build.lock" "$REPO/requirements/$ROLE.lock" "$dir/requirements/"
# pip in a venv of its own (Debian's python3 has none); fetching an sdist prepares its
# metadata: with the locked build tools, without build isolation, so that fetches no build
# tools (pyscard's would build swig from source).
"$PYTHON" -m venv "$work/tools"
tools=("$work/tools/bin/python" -m pip --disable-pip-version-check)
"${tools[@]}" download --quiet --no-deps --only-binary=:all: --require-hashes \
  -r "$REPO/requirements/build.lock" -d "$dir/wheels"
"${tools[@]}" install --quiet --no-index --find-links "$dir/wheels" --require-hashes \
  -r "$REPO/requirements/build.lock"
"${tools[@]}" download --quiet --no-deps --no-build-isolation --prefer-binary --require-hashes \
  -r "$REPO/requirements/$ROLE.lock" -d "$dir/wheels"

echo "== Debian packages (scripts/appliance-$ROLE-packages.txt and their dependencies)"
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$REPO/scripts/appliance-$ROLE-packages.txt" | grep -v '^$')
# What apt would install on a machine with nothing installed (its own choice among
# alternatives, no recommends): every package the target may lack, at this mirror's version.
: > "$work/empty-status"
apt-get --simulate -q -o "Dir::State::status=$work/empty-status" -o Dir::Cache::pkgcache= \
  -o Dir::Cache::srcpkgcache= install --no-install-recommends "${wanted[@]}" |
  awk '/^Inst /{print $2 "=" substr($3, 2)}' | sort -u > "$dir/debian/packages.txt"
printf '%s\n' "${wanted[@]}" > "$dir/debian/wanted.txt"
if (( DEBS )); then
  mkdir -p "$dir/debian/debs"
  (cd "$dir/debian/debs" && xargs -a ../packages.txt apt-get download -qq -o APT::Sandbox::User="$(id -un)")
  # The index a flat apt source reads (what dpkg-scanpackages writes, without needing dpkg-dev).
  for deb in "$dir"/debian/debs/*.deb; do
    dpkg-deb -f "$deb"
    echo "Filename: ./$(basename "$deb")"
    echo "Size: $(stat -c %s "$deb")"
    echo "SHA256: $(sha256sum "$deb" | cut -d' ' -f1)"
    echo
  done > "$dir/debian/debs/Packages"
  gzip -n -9 "$dir/debian/debs/Packages"
fi

echo "== manifest"
(cd "$dir" && find . -type f ! -name SHA256SUMS -printf '%P\0' | sort -z | xargs -0 sha256sum > SHA256SUMS)
mkdir -p "$OUT"
# Owned by root on the target whoever built it: the installer copies the code as it is.
tar -C "$work" --owner=0 --group=0 --numeric-owner -cf "$OUT/$name.tar" "$name"
(cd "$OUT" && sha256sum "$name.tar" > "$name.tar.sha256")
echo "$OUT/$name.tar: $(du -h "$OUT/$name.tar" | cut -f1), $(grep -c . "$dir/SHA256SUMS") files"
cat "$OUT/$name.tar.sha256"
