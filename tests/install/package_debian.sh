#!/usr/bin/env bash
# install.package_debian: CPack builds the Debian packages; refsim's installs with apt on a fresh
# Debian 12 root file system (debootstrap --variant=minbase, nothing else in it), which pulls its
# dependencies from the archive as dpkg-shlibdeps named them; there the installed refsim prints
# its version, runs the default scenario from /usr/share/refsim and refuses a bad scenario with
# a located message and exit code 2.
# Usage: package_debian.sh BUILD_DIR WORK_DIR   (as root; REFSIM_DEBIAN_MIRROR overrides the
# archive, default http://deb.debian.org/debian). Removes the root file system when it ends.
set -euo pipefail
build=$(realpath "$1") work=$2
mirror=${REFSIM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
fail() { echo "install.package_debian: FAIL: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || fail "needs root (debootstrap and chroot); run the tests as root or skip this one with -E"
for tool in debootstrap chroot dpkg-deb dpkg-shlibdeps cpack mount; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps.sh installs it)"
done

root=$work/root
cleanup() {
  if mountpoint -q "$root/proc" 2>/dev/null; then umount -l "$root/proc" || true; fi
  rm -rf "$root"
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work/pkg"

(cd "$work/pkg" && cpack --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
  fail "cpack failed: $(tail -20 "$work/cpack.log")"
deb=$(ls "$work"/pkg/refsim_*.deb 2>/dev/null | head -n 1)
dev=$(ls "$work"/pkg/refsim-dev_*.deb 2>/dev/null | head -n 1)
[[ -n "$deb" ]] || fail "cpack wrote no refsim_*.deb: $(ls "$work/pkg")"
[[ -n "$dev" ]] || fail "cpack wrote no refsim-dev_*.deb: $(ls "$work/pkg")"
depends=$(dpkg-deb -f "$deb" Depends)
echo "refsim package: $(basename "$deb"), Depends: $depends"
grep -q "libtomlplusplus3" <<<"$depends" || fail "Depends lacks libtomlplusplus3 (dpkg-shlibdeps did not run?)"
# The listings are read whole first: `grep -q` closing a pipe early would kill dpkg-deb (pipefail).
contents=$(dpkg-deb -c "$deb") dev_contents=$(dpkg-deb -c "$dev")
grep -q '\./usr/bin/refsim$' <<<"$contents" || fail "the package has no /usr/bin/refsim"
grep -q '\./usr/share/refsim/scenarios/baseline-nrm.toml$' <<<"$contents" || fail "the package has no scenarios"
grep -q '\./usr/share/man/man1/refsim.1' <<<"$contents" || fail "the package has no manual page"
if grep -q '\.a$' <<<"$contents"; then fail "the runtime package holds static libraries"; fi
grep -q 'usr/include/refsim/sim/engine/engine.hpp$' <<<"$dev_contents" || fail "refsim-dev has no headers"

echo "debootstrap --variant=minbase bookworm ($mirror) ..."
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  fail "debootstrap failed: $(tail -20 "$work/debootstrap.log")"
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
in_root sh -c 'command -v refsim' && fail "the fresh root already has refsim"
in_root apt-get update -q >"$work/apt.log" 2>&1 || fail "apt-get update failed: $(tail -20 "$work/apt.log")"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" \
  >>"$work/apt.log" 2>&1 || fail "apt-get install of the package failed: $(tail -30 "$work/apt.log")"

version=$(in_root refsim --version) || fail "refsim --version failed in the fresh root"
[[ "$version" =~ ^refsim\ [0-9] ]] || fail "refsim --version printed '$version'"
in_root sh -c 'refsim run /usr/share/refsim/scenarios/baseline-nrm.toml -r 2 -o /tmp/out' >"$work/run.log" 2>&1 ||
  fail "refsim run of the default scenario failed in the fresh root: $(tail -20 "$work/run.log")"
[[ -s "$root/tmp/out/summary.json" ]] || fail "the run wrote no summary.json"
grep -q "events in" "$work/run.log" || fail "the run printed no event count"
# Also refused input as documented: exit code 2 with a located message.
printf '[run]\nhorizon = "soon"\n' >"$root/tmp/bad.toml"
set +e
in_root refsim run /tmp/bad.toml -o /tmp/bad >"$work/bad.log" 2>&1
code=$?
set -e
[[ $code -eq 2 ]] || fail "a bad scenario exited with $code, not 2: $(cat "$work/bad.log")"
grep -q '^/tmp/bad.toml:[0-9]*:[0-9]*: ' "$work/bad.log" || fail "no located message: $(cat "$work/bad.log")"
if [[ -e "$root/usr/bin/refsim-viz" ]]; then
  viz_version=$(in_root refsim-viz --version) || fail "refsim-viz --version failed in the fresh root"
  [[ "$viz_version" =~ ^refsim-viz\ [0-9] ]] || fail "refsim-viz --version printed '$viz_version'"
fi
echo "install.package_debian: ok ($version installed and ran the default scenario on a fresh Debian 12: $(grep 'events in' "$work/run.log"))"
