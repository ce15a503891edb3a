#!/usr/bin/env bash
# Builds HealthFlow's container images with podman, from the repository's own Dockerfiles, on a machine that cannot
# pull from an image registry: the base images are made here first, from Debian (debootstrap) and this machine's
# .NET SDK and Node.js, and tagged with the names the Dockerfiles use.
#
#   scripts/images.sh [bases|services|web|all]     (default: all)
#
# Images:
#   localhost/healthflow/debian:bookworm           Debian minbase, made with debootstrap
#   mcr.microsoft.com/dotnet/aspnet:10.0           + the machine's .NET runtimes   (services/Dockerfile's runtime)
#   mcr.microsoft.com/dotnet/sdk:10.0              + the machine's .NET SDK        (services/Dockerfile's build)
#   localhost/healthflow/node:bookworm             + the machine's Node.js and npm (frontend/Dockerfile's NODE_IMAGE)
#   localhost/healthflow/nginx-unprivileged:bookworm  Debian's nginx as uid 101    (frontend/Dockerfile's NGINX_IMAGE)
#   localhost/healthflow/<service>:latest          auth-api, command-api, query-api, alert-worker, projections, notifier, web
# The service images are built in Docker's image format, which keeps the Dockerfiles' HEALTHCHECK (OCI drops it).
#
# A base image that already exists is kept (a machine with registry access may have pulled the real one), so only
# the first run makes them. Every build runs with --pull=never. podman's settings: scripts/containers/containers.conf
# (CONTAINERS_CONF), unless CONTAINERS_CONF already names one.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}

export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/scripts/containers/containers.conf}
dotnet_root=${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}
work="$root/.healthflow/images"

# The .NET services: task definition (container) name and project, as infra/HealthFlow.Cdk/ServiceCatalog.cs lists them.
services=(
  "auth-api HealthFlow.Auth.Api"
  "command-api HealthFlow.Command.Api"
  "query-api HealthFlow.Query.Api"
  "alert-worker HealthFlow.AlertWorker"
  "projections HealthFlow.Projections"
  "notifier HealthFlow.Notifier"
)

debian=localhost/healthflow/debian:bookworm
aspnet=mcr.microsoft.com/dotnet/aspnet:10.0
sdk=mcr.microsoft.com/dotnet/sdk:10.0
node=localhost/healthflow/node:bookworm
nginx=localhost/healthflow/nginx-unprivileged:bookworm

log() { printf '\n==> %s\n' "$*"; }
timed() { local start=$SECONDS; "$@"; printf '    (%s s)\n' $((SECONDS - start)); }
missing() { ! podman image exists "$1"; }
# A base image's build: its output only where it fails.
quietly() { local out; out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

debian_base() {
  local rootfs="$work/rootfs-bookworm"
  as_root rm -rf "$rootfs"
  mkdir -p "$work"
  as_root debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log"
  # What a container image never reads: documentation, translations, apt's downloaded lists and packages.
  as_root rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  as_root find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  as_root tar -C "$rootfs" -c . | podman import -q --change 'CMD ["bash"]' - "$debian" >/dev/null
  as_root rm -rf "$rootfs"
}

node_context() {
  # The machine's Node.js as it is installed: the node binary, the global modules (npm may have been upgraded in
  # place since the package was installed, so the package's file list is not enough), and the npm/npx links.
  mkdir -p "$work/node"
  local node_bin; node_bin=$(readlink -f "$(command -v node)")
  local prefix; prefix=$(dirname "$(dirname "$node_bin")")
  tar -C / -cf "$work/node/node.tar" "${node_bin#/}" "${prefix#/}/lib/node_modules" \
    $(for link in npm npx corepack; do [ -e "$prefix/bin/$link" ] && printf '%s ' "${prefix#/}/bin/$link"; done)
}

bases() {
  if missing "$debian"; then log "$debian (debootstrap)"; timed debian_base; fi
  if missing "$aspnet"; then
    log "$aspnet from $dotnet_root"
    timed quietly podman build --pull=never -f scripts/containers/aspnet.Containerfile -t "$aspnet" "$dotnet_root"
  fi
  if missing "$sdk"; then
    log "$sdk from $dotnet_root"
    timed quietly podman build --pull=never -f scripts/containers/sdk.Containerfile -t "$sdk" "$dotnet_root"
  fi
  if missing "$node"; then
    log "$node from the machine's nodejs $(node --version)"
    node_context
    timed quietly podman build --pull=never -f scripts/containers/node.Containerfile -t "$node" "$work/node"
  fi
  if missing "$nginx"; then
    log "$nginx (Debian's nginx)"
    timed quietly podman build --pull=never -f scripts/containers/nginx.Containerfile -t "$nginx" scripts/containers
  fi
}

# A build's RUN steps (dotnet restore, npm ci) trust what this machine trusts: its CA bundle is mounted for them,
# not copied into any image. Where outbound TLS goes through an inspecting proxy with a local CA, restore needs it.
build_trust=()
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  build_trust=(--volume /etc/ssl/certs:/etc/ssl/certs:ro)
fi

service_images() {
  for entry in "${services[@]}"; do
    read -r name project <<<"$entry"
    log "localhost/healthflow/$name (services/Dockerfile, PROJECT=$project)"
    timed podman build --pull=never --layers --format docker "${build_trust[@]}" -f services/Dockerfile --build-arg "PROJECT=$project" -t "localhost/healthflow/$name:latest" .
  done
}

web_image() {
  log "localhost/healthflow/web (frontend/Dockerfile)"
  timed podman build --pull=never --layers --format docker "${build_trust[@]}" -f frontend/Dockerfile \
    --build-arg "NODE_IMAGE=$node" --build-arg "NGINX_IMAGE=$nginx" -t localhost/healthflow/web:latest .
}

case "$what" in
  bases) bases ;;
  services) bases; service_images ;;
  web) bases; web_image ;;
  all) bases; service_images; web_image ;;
  *) echo "usage: $0 [bases|services|web|all]" >&2; exit 2 ;;
esac

log "Images"
podman images --filter reference='localhost/healthflow/*' --filter reference='mcr.microsoft.com/dotnet/*' \
  --format 'table {{.Repository}}:{{.Tag}} {{.Size}} {{.Created}}'
