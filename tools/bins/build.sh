#!/usr/bin/env bash
# Builds the real binaries meshctl is tested against (kube-apiserver, kube-controller-manager,
# kubectl, etcd, istioctl, pilot-discovery) from Go modules, once, into a cache outside the repository keyed by
# the pins. Prints the bin directory on the last line of stdout.
#
#   tools/bins/build.sh            build what is missing, print the bin dir
#   tools/bins/build.sh etcd|k8s|istioctl|pilot-discovery|istio-previous   one component
#   MESHCTL_CACHE=/path ...        cache root (default ~/.cache/meshctl)
#
# Why wrapper modules: k8s.io/kubernetes and etcd's server module carry replace directives, so
# `go install pkg@version` refuses them. A throwaway main module that requires them (and, for
# Kubernetes, replaces every staging module at v0.0.0 with its published v0.X.Y) builds them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pins.env
source "$here/pins.env"

log() { printf '[bins] %s\n' "$*" >&2; }
die() { printf '[bins] error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed or not on PATH. meshctl builds its test servers (kube-apiserver, etcd, istioctl) from Go modules; install Go >= 1.26 (https://go.dev/dl) and run again."
# Istio 1.31's go.mod says go 1.26.0; with GOTOOLCHAIN=local an older Go would fail deep in the
# build, so say it here.
go_minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
[ -n "$go_minor" ] && [ "$go_minor" -ge 26 ] || die "Go $(go env GOVERSION) is too old: the pinned istioctl needs Go >= 1.26 (https://go.dev/dl). Toolchain downloads are off (GOTOOLCHAIN=local) on purpose."

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"
# Each component is cached under its own version (so changing one pin rebuilds one thing);
# the printed directory holds links to the set the pins name.
cache=${MESHCTL_CACHE:-$HOME/.cache/meshctl}
gov=$(go env GOVERSION)
k8s_dir="$cache/bins/kubernetes-$K8S_VERSION-$gov"
etcd_dir="$cache/bins/etcd-$ETCD_VERSION-$gov"
istio_dir="$cache/bins/istioctl-$ISTIO_VERSION-$ISTIO_COMMIT-$gov"
istio_prev_dir="$cache/bins/istioctl-$ISTIO_PREVIOUS_VERSION-$ISTIO_PREVIOUS_COMMIT-$gov"
set_dir="$cache/bins/set-$(cat "$here/pins.env" | sha256sum | cut -c1-12)"
work="$cache/build"
mkdir -p "$k8s_dir" "$etcd_dir" "$istio_dir" "$istio_prev_dir" "$set_dir" "$work"

k8s_minor=${K8S_VERSION#v1.}; k8s_minor=${k8s_minor%%.*}
staging_version="v0.${K8S_VERSION#v1.}"
parallel="-p ${BUILD_PARALLELISM:-2}"

# Temporary directories of this run, removed however it ends.
temp_dirs=()
trap 'rm -rf ${temp_dirs[@]+"${temp_dirs[@]}"}' EXIT

# Makes the wrapper module `dir` by running `make` (a function) in a new directory beside it,
# and moves that into place only when `make` succeeded: a failed `go get` must not leave a
# half-made go.mod for later runs to build with. A directory without the `.prepared` mark
# (from a build script that prepared in place) is made again.
prepare_module() {
  local dir=$1 make=$2 tmp
  [ -f "$dir/.prepared" ] && return 0
  tmp=$(mktemp -d "$dir.tmp.XXXXXX")
  temp_dirs+=("$tmp")
  (cd "$tmp" && "$make")
  touch "$tmp/.prepared"
  rm -rf "$dir"
  mv "$tmp" "$dir"
}

k8s_module() {
  local gomod godebug
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION from the module proxy"
  go mod init meshctl.test/k8sbins >/dev/null 2>&1
  # The wrapper is the main module: its go and godebug lines set runtime defaults.
  go mod edit -go="$(sed -n 's/^go //p' "$gomod")"
  godebug=$(sed -n 's/^godebug //p' "$gomod")
  [ -n "$godebug" ] && go mod edit -godebug="$godebug"
  # Every staging module required at the placeholder v0.0.0 gets its published version.
  go mod edit -json "$gomod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Require") or []:
    if r["Path"].startswith("k8s.io/") and r["Version"] == "v0.0.0":
        print(r["Path"])' | while read -r m; do
    go mod edit -replace="$m=$m@$staging_version"
  done
  printf '//go:build tools\n\npackage tools\n' > tools.go
  log "Kubernetes $K8S_VERSION: resolving dependencies (downloads several hundred MB the first time)"
  go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION" >&2
  go get "google.golang.org/protobuf@$PROTOBUF_VERSION" >&2
}

etcd_module() {
  go mod init meshctl.test/etcdbin >/dev/null 2>&1
  go mod edit -go=1.26.0
  printf '//go:build tools\n\npackage tools\n' > tools.go
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
}

build_k8s() {
  local want=(kube-apiserver kube-controller-manager kubectl) missing=()
  local bin=$k8s_dir
  for b in "${want[@]}"; do [ -x "$bin/$b" ] || missing+=("$b"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local dir="$work/k8s-$K8S_VERSION"
  log "Kubernetes $K8S_VERSION: preparing wrapper module in $dir"
  prepare_module "$dir" k8s_module
  (
    cd "$dir"
    local v="k8s.io/component-base/version" date
    date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    local ld="-s -w -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$k8s_minor -X $v.gitTreeState=clean -X $v.gitCommit=unknown -X $v.buildDate=$date"
    # kubectl embeds the same version through its own copy of the version package.
    ld="$ld -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$k8s_minor"
    for b in "${missing[@]}"; do
      log "Kubernetes $K8S_VERSION: building $b (several minutes on 2 cores)"
      local t0=$SECONDS
      go build $parallel -ldflags "$ld" -o "$bin/$b.tmp" "k8s.io/kubernetes/cmd/$b" >&2
      mv "$bin/$b.tmp" "$bin/$b"
      log "Kubernetes $K8S_VERSION: built $b in $((SECONDS - t0))s"
    done
  )
}

build_etcd() {
  local bin=$etcd_dir
  [ -x "$bin/etcd" ] && return 0
  local dir="$work/etcd-$ETCD_VERSION"
  log "etcd $ETCD_VERSION: building"
  prepare_module "$dir" etcd_module
  (
    cd "$dir"
    local t0=$SECONDS
    go build $parallel -ldflags "-s -w" -o "$bin/etcd.tmp" go.etcd.io/etcd/server/v3 >&2
    mv "$bin/etcd.tmp" "$bin/etcd"
    log "etcd $ETCD_VERSION: built in $((SECONDS - t0))s"
  )
}

# One binary of the istio.io/istio module: `name` from package `pkg`, of Istio `ver` (what
# `istioctl version` prints) at pseudo-version `pseudo` (commit `commit`), into `bin`, that
# version's cache directory (named after istioctl, its first binary: renaming it would rebuild
# istioctl everywhere). Same flags for every Istio binary, so a second one of the same version
# reuses the Go build cache of the first for every package they share.
build_istio_bin() {
  local name=$1 pkg=$2 ver=$3 pseudo=$4 commit=$5 bin=$6
  [ -x "$bin/$name" ] && return 0
  log "$name $ver ($pseudo): building"
  local p="istio.io/istio/pkg/version" t0=$SECONDS
  # Without these ldflags the rendered manifests name gcr.io/istio-testing images and
  # `istioctl version` (and istiod's own version reports) say "unknown".
  local ld="-s -w -X $p.buildVersion=$ver -X $p.buildTag=$ver -X $p.buildHub=$ISTIO_HUB -X $p.buildGitRevision=$commit -X $p.buildStatus=Clean"
  GOBIN="$bin/.$name" go install $parallel -ldflags "$ld" "$pkg@$pseudo" >&2
  mv "$bin/.$name/$name" "$bin/$name"
  rmdir "$bin/.$name"
  log "$name $ver: built in $((SECONDS - t0))s"
}

istioctl_pkg=istio.io/istio/istioctl/cmd/istioctl
# istiod. Built without Istio's release tags (vtprotobuf, disable_pgv) like istioctl, so the two
# share compiled packages; the tags only change proto marshalling speed and validation code.
pilot_pkg=istio.io/istio/pilot/cmd/pilot-discovery
pinned=("$ISTIO_VERSION" "$ISTIO_PSEUDO" "$ISTIO_COMMIT" "$istio_dir")
previous=("$ISTIO_PREVIOUS_VERSION" "$ISTIO_PREVIOUS_PSEUDO" "$ISTIO_PREVIOUS_COMMIT" "$istio_prev_dir")
build_istioctl() { build_istio_bin istioctl "$istioctl_pkg" "${pinned[@]}"; }
build_pilot_discovery() { build_istio_bin pilot-discovery "$pilot_pkg" "${pinned[@]}"; }
# The second, earlier Istio (pins.env ISTIO_PREVIOUS_*), for upgrade tests: both binaries.
build_istio_previous() {
  build_istio_bin istioctl "$istioctl_pkg" "${previous[@]}"
  build_istio_bin pilot-discovery "$pilot_pkg" "${previous[@]}"
}

main() {
  case "${1:-all}" in
    # The previous Istio last: what every test needs is built before it.
    all) build_etcd; build_istioctl; build_pilot_discovery; build_k8s; build_istio_previous ;;
    etcd) build_etcd ;;
    istioctl) build_istioctl ;;
    pilot-discovery) build_pilot_discovery ;;
    k8s) build_k8s ;;
    istio-previous) build_istio_previous ;;
    *) die "usage: build.sh [all|etcd|istioctl|pilot-discovery|k8s|istio-previous]" ;;
  esac
  # Link only finished binaries (never a half-written *.tmp) into the set directory.
  for b in "$k8s_dir"/{kube-apiserver,kube-controller-manager,kubectl} "$etcd_dir/etcd" "$istio_dir"/{istioctl,pilot-discovery}; do
    if [ -x "$b" ]; then ln -sfn "$b" "$set_dir/$(basename "$b")"; fi
  done
  # Both Istio versions under versioned names too (istioctl-1.31.0, pilot-discovery-1.31.0, and
  # the previous one's); the unversioned istioctl and pilot-discovery stay the pinned version.
  local d v
  for d in "$istio_dir" "$istio_prev_dir"; do
    if [ "$d" = "$istio_dir" ]; then v=$ISTIO_VERSION; else v=$ISTIO_PREVIOUS_VERSION; fi
    for b in istioctl pilot-discovery; do
      if [ -x "$d/$b" ]; then ln -sfn "$d/$b" "$set_dir/$b-$v"; fi
    done
  done
  echo "$set_dir"
}

# Bash reads a script as it runs it: with the exit on the same line as main, nothing after that
# line is read while the builds run, so editing this file during a build cannot break it.
main "$@"; exit
