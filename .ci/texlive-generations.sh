#!/usr/bin/env bash
# TeX Live generations beside the machine's own (Debian bookworm: TeX Live 2022):
#   2024 = Debian trixie chroot, 2026 = Debian forky chroot (texlive 2026.20260911, latexmk 4.88).
# Each tree is built once per machine at a fixed path outside any checkout and reused.
# A tree is complete when DIR/.pith-ready holds the hash of the package list; a tree without
# it was interrupted and is rebuilt; a complete tree with another hash gets the new list added.
#
# Usage: .ci/texlive-generations.sh ensure   build what is missing, then print each generation
#        .ci/texlive-generations.sh versions print each generation's LaTeX kernel and latexmk
#        .ci/texlive-generations.sh proc      mount /proc in every ready tree (after a reboot)
set -euo pipefail

CACHE=/var/cache/pith-tex
TRIXIE="$CACHE/texlive-2024"
FORKY="$CACHE/texlive-2026"
MARKER=.pith-ready
# What the tests compile with inside a tree: the host's list in .ci/run, less what needs no TeX.
PACKAGES=(
  texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-publishers
  texlive-science texlive-xetex texlive-luatex texlive-fonts-recommended texlive-plain-generic
  texlive-bibtex-extra texlive-lang-english texlive-lang-european texlive-lang-german
  texlive-lang-french texlive-lang-portuguese texlive-humanities lmodern cm-super latexmk poppler-utils ghostscript
  fonts-linuxlibertine tex-gyre texlive-font-utils biber
)
LIST_HASH=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-16)
APT=(apt-get -o DPkg::Lock::Timeout=900 -o Acquire::Check-Valid-Until=false -o Acquire::Retries=3)

say() { printf '[texlive-generations] %s\n' "$*"; }
die() { printf '[texlive-generations] error: %s\n' "$*" >&2; exit 1; }

is_ready() { [ -f "$1/$MARKER" ]; }
is_current() { is_ready "$1" && [ "$(cat "$1/$MARKER")" = "$LIST_HASH" ]; }

# Mounted filesystems at or below $1 (from /proc/mounts, second field).
mounts_below() { awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts; }

ensure_proc() {
  local dir=$1
  mkdir -p "$dir/proc"
  if ! awk -v p="$dir/proc" '$2 == p { found = 1 } END { exit !found }' /proc/mounts; then
    mount -t proc proc "$dir/proc"
  fi
}

# Removes an interrupted tree, never through a mount left inside it.
remove_tree() {
  local dir=$1 m
  for m in $(mounts_below "$dir" | sort -r); do umount "$m" || umount -l "$m"; done
  [ -z "$(mounts_below "$dir")" ] || die "$dir still has mounts; not removing it"
  rm -rf --one-file-system "$dir"
}

in_tree() { local dir=$1; shift; ensure_proc "$dir"; chroot "$dir" "$@"; }

# apt inside a tree: its own dpkg lock; resolv.conf refreshed so the mirror resolves.
apt_in() {
  local dir=$1; shift
  cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
  in_tree "$dir" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "${APT[@]}" "$@"
}

install_list() {
  local dir=$1
  apt_in "$dir" update -qq
  apt_in "$dir" install -y -qq --no-install-recommends "${PACKAGES[@]}" >"$dir.apt.log" 2>&1 \
    || { tail -n 30 "$dir.apt.log" >&2; die "apt-get install failed in $dir (log: $dir.apt.log)"; }
  # l3build is a separate Debian package in some releases and part of texlive-latex-extra in others.
  if ! in_tree "$dir" sh -c 'command -v l3build' >/dev/null 2>&1 \
      && in_tree "$dir" apt-cache show l3build >/dev/null 2>&1; then
    apt_in "$dir" install -y -qq --no-install-recommends l3build >>"$dir.apt.log" 2>&1
  fi
  apt_in "$dir" clean
  printf '%s\n' "$LIST_HASH" >"$dir/$MARKER"
}

# Files that make a bare tree usable by apt and by builds.
prepare_tree() {
  local dir=$1
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"   # no daemons start in a chroot
  chmod 755 "$dir/usr/sbin/policy-rc.d"
  printf 'Acquire::Check-Valid-Until "false";\n' >"$dir/etc/apt/apt.conf.d/90pith-valid-until"
}

build_trixie() {
  local start=$SECONDS
  if is_ready "$TRIXIE"; then
    say "2024: $TRIXIE has an older package list; adding the current one"
  else
    [ -e "$TRIXIE" ] && { say "2024: $TRIXIE is incomplete (interrupted); rebuilding"; remove_tree "$TRIXIE"; }
    command -v debootstrap >/dev/null 2>&1 || {
      say "installing debootstrap on the host"
      apt-get -o DPkg::Lock::Timeout=900 update -qq
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq debootstrap >/dev/null
    }
    say "2024: debootstrap --variant=minbase trixie $TRIXIE"
    mkdir -p "$CACHE"
    debootstrap --variant=minbase trixie "$TRIXIE" >"$TRIXIE.debootstrap.log" 2>&1 \
      || { tail -n 30 "$TRIXIE.debootstrap.log" >&2; die "debootstrap failed (log: $TRIXIE.debootstrap.log)"; }
    prepare_tree "$TRIXIE"
    say "2024: debootstrap done in $((SECONDS - start)) s"
  fi
  say "2024: installing ${#PACKAGES[@]} packages"
  install_list "$TRIXIE"
  say "2024: ready in $((SECONDS - start)) s, $(du -sh --one-file-system "$TRIXIE" | cut -f1)"
}

build_forky() {
  local start=$SECONDS
  if is_ready "$FORKY"; then
    say "2026: $FORKY has an older package list; adding the current one"
  else
    [ -e "$FORKY" ] && { say "2026: $FORKY is incomplete (interrupted); rebuilding"; remove_tree "$FORKY"; }
    is_current "$TRIXIE" || die "the forky tree is made from a complete trixie tree; $TRIXIE is not ready"
    say "2026: copying $TRIXIE to $FORKY"
    cp -a --one-file-system "$TRIXIE" "$FORKY"   # mount point directories are copied, not their mounts
    rm -f "$FORKY/$MARKER"
    local line
    line=$(grep -m1 -E '^deb .* trixie( |$)' "$FORKY/etc/apt/sources.list") \
      || die "no trixie line in $FORKY/etc/apt/sources.list"
    printf '%s\n' "${line//trixie/forky}" >>"$FORKY/etc/apt/sources.list"
    printf 'APT::Default-Release "forky";\n' >"$FORKY/etc/apt/apt.conf.d/90pith-default-release"
    prepare_tree "$FORKY"
    say "2026: upgrading to forky"
    apt_in "$FORKY" update -qq
    apt_in "$FORKY" full-upgrade -y -qq --no-install-recommends >"$FORKY.apt.log" 2>&1 \
      || { tail -n 30 "$FORKY.apt.log" >&2; die "apt-get full-upgrade failed in $FORKY (log: $FORKY.apt.log)"; }
    say "2026: upgraded in $((SECONDS - start)) s"
  fi
  say "2026: installing ${#PACKAGES[@]} packages"
  install_list "$FORKY"
  say "2026: ready in $((SECONDS - start)) s, $(du -sh --one-file-system "$FORKY" | cut -f1)"
}

# The LaTeX kernel's \fmtversion and latexmk's version, in the tree $1 (empty = host).
print_versions() {
  local name=$1 dir=$2 probe
  # The format's banner: "LaTeX2e <2022-11-01> patch level 1" (\fmtversion and the patch level).
  probe='d=$(mktemp -d) && cd "$d" && pdflatex -interaction=nonstopmode "\stop" 2>&1 | sed -n "s/^LaTeX2e <\(.*\)>/\1/p" | head -n1; latexmk --version 2>&1 | sed -n "s/^Latexmk, John Collins, //p" | head -n1; rm -rf "$d"'
  local out
  if [ -z "$dir" ]; then out=$(sh -c "$probe"); else out=$(in_tree "$dir" sh -c "$probe"); fi
  printf '%s  %-34s LaTeX kernel %s, latexmk %s\n' "$name" "${dir:-host}" \
    "$(printf '%s\n' "$out" | sed -n 1p)" "$(printf '%s\n' "$out" | sed -n 2p)"
}

versions() {
  print_versions 2022 ""
  is_ready "$TRIXIE" && print_versions 2024 "$TRIXIE"
  is_ready "$FORKY" && print_versions 2026 "$FORKY"
  return 0
}

ensure() {
  [ "$(id -u)" = 0 ] || die "building the chroots needs root (debootstrap, chroot, mount)"
  local start=$SECONDS
  if is_current "$TRIXIE"; then say "2024: $TRIXIE ready"; else build_trixie; fi
  if is_current "$FORKY"; then say "2026: $FORKY ready"; else build_forky; fi
  ensure_proc "$TRIXIE"; ensure_proc "$FORKY"
  say "all generations ready in $((SECONDS - start)) s"
  versions
}

case "${1:-}" in
  ensure) ensure ;;
  versions) versions ;;
  proc) for d in "$TRIXIE" "$FORKY"; do is_ready "$d" && ensure_proc "$d"; done; true ;;
  *) echo "usage: $0 ensure|versions|proc" >&2; exit 2 ;;
esac
