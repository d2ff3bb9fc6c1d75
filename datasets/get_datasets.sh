#!/usr/bin/env bash
# Fetch CIFAR-10 (python version) into datasets/cifar-10-batches-py/.
#
#   datasets/get_datasets.sh                      download the official archive, verify, extract
#   datasets/get_datasets.sh --archive FILE       use a local copy of the archive instead
#   datasets/get_datasets.sh --archive FILE --accept-checksum
#                                                 accept a local archive whose md5 is not the
#                                                 official one (a mirror); results will differ
#
# The same choices can be made with CIFAR10_ARCHIVE=FILE and CIFAR10_ACCEPT_CHECKSUM=1.
# --dest DIR extracts into DIR/cifar-10-batches-py instead of this folder (used by the tests).
#
# Nothing half-written is left behind: the archive is downloaded under a temporary name and
# extracted into a temporary folder, and only a complete, verified folder is renamed into place.
# The folder gets a SOURCE.txt saying which archive it came from (the official URL or the local
# archive's file name, its md5, official or not; read by cs231n.data_utils).

# Not help text, which ends at the blank line above: sh would stop at the next line with
# "Illegal option -o pipefail", which names no cause.
[ -n "${BASH_VERSION:-}" ] || { echo "get_datasets.sh: error: run this script with bash: bash datasets/get_datasets.sh" >&2; exit 2; }
set -euo pipefail

readonly OFFICIAL_URL="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
readonly OFFICIAL_MD5="c58f30108f718f92721af3b95e74349a"
readonly FOLDER="cifar-10-batches-py"
readonly MEMBERS="batches.meta data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch"
readonly NEEDED_KB=400000   # archive (163 MB) + extracted batches (178 MB), with some room

die() { printf 'get_datasets.sh: error: %s\n' "$*" >&2; exit 1; }
# How to give a local archive, for this script and for the make targets that call it.
readonly GIVE_ARCHIVE="run 'bash datasets/get_datasets.sh --archive FILE', or 'make setup CIFAR10_ARCHIVE=FILE' (likewise make test, make homework)"
readonly GIVE_ACCEPT="add --accept-checksum (make: CIFAR10_ACCEPT_CHECKSUM=1)"
say() { printf 'get_datasets.sh: %s\n' "$*"; }

# The help text is the comment block at the top of this file (up to its first blank line).
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

archive="${CIFAR10_ARCHIVE:-}"
accept_checksum="${CIFAR10_ACCEPT_CHECKSUM:-0}"
case "$accept_checksum" in
  0|1) ;;
  *) die "CIFAR10_ACCEPT_CHECKSUM must be 1 (accept an archive whose md5 is not the official one) or 0, got '$accept_checksum'" ;;
esac
url="${CIFAR10_URL:-$OFFICIAL_URL}"
dest="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

while [ $# -gt 0 ]; do
  case "$1" in
    --archive) [ $# -ge 2 ] || die "--archive needs a file name"; archive="$2"; shift 2 ;;
    --accept-checksum) accept_checksum=1; shift ;;
    --dest) [ $# -ge 2 ] || die "--dest needs a folder"; dest="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[ -d "$dest" ] || die "destination folder '$dest' does not exist"
dest="$(cd "$dest" && pwd)"
target="$dest/$FOLDER"

complete() {
  local m
  for m in $MEMBERS; do [ -s "$1/$m" ] || return 1; done
}

if [ -e "$target" ]; then
  complete "$target" || die "'$target' exists but is incomplete; delete it and run this script again"
  if [ -n "$archive" ]; then
    # An archive given on purpose: say that it changed nothing, and what the folder holds.
    from="$(sed -n 's/^source: //p' "$target/SOURCE.txt" 2>/dev/null || true)"
    say "CIFAR-10 is already in $target${from:+ (from $from)}; the archive '$archive' was not used: delete that folder to extract it instead."
  else
    say "CIFAR-10 is already in $target; nothing to do."
  fi
  exit 0
fi

md5_of() {
  if command -v md5sum >/dev/null 2>&1; then md5sum "$1" | cut -d' ' -f1
  elif command -v md5 >/dev/null 2>&1; then md5 -q "$1"
  else python3 -c 'import hashlib,sys; print(hashlib.md5(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
  fi
}

free_kb() { df -Pk "$1" | awk 'NR==2 {print $4}'; }

avail="$(free_kb "$dest")"
if [ -n "$avail" ] && [ "$avail" -lt "$NEEDED_KB" ]; then
  die "not enough disk space in $dest: $((avail / 1024)) MB free, about $((NEEDED_KB / 1024)) MB needed; free some space and run again"
fi

work="$(mktemp -d "$dest/.tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ -n "$archive" ]; then
  [ ! -d "$archive" ] || die "archive '$archive' is a folder: give the archive file itself, cifar-10-python.tar.gz"
  [ -f "$archive" ] || die "archive '$archive' not found (give the path of cifar-10-python.tar.gz)"
  [ -r "$archive" ] || die "archive '$archive' is not readable"
  say "using local archive $archive"
  # Only the file name is recorded: SOURCE.txt is printed in notebooks, and a folder of this
  # machine (a home folder) has no place in a submitted PDF. The md5 identifies the archive.
  source_desc="local archive $(basename "$archive")"
else
  part="$work/cifar-10-python.tar.gz.part"
  say "downloading $url (about 163 MB)"
  if command -v curl >/dev/null 2>&1; then
    curl -fL --retry 2 --connect-timeout 20 -o "$part" "$url" \
      || die "download of $url failed (no network, or the host is unreachable). On a machine without internet, copy cifar-10-python.tar.gz to it and $GIVE_ARCHIVE"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 --timeout=20 -O "$part" "$url" \
      || die "download of $url failed (no network, or the host is unreachable). On a machine without internet, copy cifar-10-python.tar.gz to it and $GIVE_ARCHIVE"
  else
    die "neither curl nor wget is installed: install one (Debian/Ubuntu: apt-get install curl), or give a local archive: $GIVE_ARCHIVE"
  fi
  archive="$work/cifar-10-python.tar.gz"
  mv "$part" "$archive"
  source_desc="download $url"
fi

md5="$(md5_of "$archive")"
if [ "$md5" = "$OFFICIAL_MD5" ]; then
  official=yes
  say "checksum OK: md5 $md5 is the official CIFAR-10 archive"
elif [ "$accept_checksum" = 1 ]; then
  official=no
else
  die "archive md5 is $md5, not the official $OFFICIAL_MD5: the file is corrupt, truncated, another data set, or an unofficial copy. Fetch the official archive again, or, if this is a faithful mirror you trust, $GIVE_ACCEPT."
fi

listing="$work/listing"
tar -tzf "$archive" > "$listing" 2>"$work/tar.err" \
  || die "cannot read '$archive' as a .tar.gz (corrupt or truncated): $(head -c 300 "$work/tar.err"). Copy or download the archive again."
for m in $MEMBERS; do
  grep -qx "\(\./\)\{0,1\}$FOLDER/$m" "$listing" \
    || die "'$archive' has no $FOLDER/$m: it is not CIFAR-10's python version (cifar-10-python.tar.gz)"
done
# Warned only now that the file is known to be CIFAR-10's archive, so that the warning is about data.
if [ "$official" = no ]; then
  say "WARNING: md5 $md5 is not the official $OFFICIAL_MD5; accepted as asked (--accept-checksum or CIFAR10_ACCEPT_CHECKSUM=1). Its pixels, and the order of its images, can differ from the official CIFAR-10's, and so can numbers measured on it."
fi

extracted="$work/extract"
mkdir "$extracted"
say "extracting"
# Owners and modes are this user's, not the archive's (tar keeps them when run as root).
tar -xzf "$archive" -C "$extracted" --no-same-owner --no-same-permissions 2>"$work/tar.err" \
  || die "extraction failed (disk full, or the archive is corrupt): $(head -c 300 "$work/tar.err")"
# Plain files and folders only: writing SOURCE.txt through a link in an unofficial archive would
# write outside the data folder.
odd="$(find "$extracted" -mindepth 1 ! -type f ! -type d -print -quit)"
[ -z "$odd" ] || die "the archive holds a link or special file (${odd#"$extracted"/}), where CIFAR-10's holds plain files only: it is not a faithful copy. Fetch the official archive."
complete "$extracted/$FOLDER" || die "extracted archive is missing batch files"

{
  echo "source: $source_desc"
  echo "md5: $md5"
  echo "official: $official"
} > "$extracted/$FOLDER/SOURCE.txt"

mv "$extracted/$FOLDER" "$target"
say "CIFAR-10 is ready in $target (official archive: $official)"
