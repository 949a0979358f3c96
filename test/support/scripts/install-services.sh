#!/usr/bin/env bash
# Installs the real services the test suite starts for itself, from Debian's packages, when missing:
# PostgreSQL (metadata store tests), a one-node Ceph with the RADOS Gateway (S3 tests), and Chromium
# (the web console's browser tests drive it with playwright-core; never a browser download of its own),
# and nginx (the front-proxy tests run the documented configuration, docs/front-proxy.nginx.conf).
# Root only (apt-get). Safe to run again: it does nothing when everything is there.
set -euo pipefail
have_postgres() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_ceph() { command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null && command -v radosgw >/dev/null; }
packages=()
have_postgres || packages+=(postgresql)
have_ceph || packages+=(ceph-mon ceph-osd radosgw)
command -v curl >/dev/null || packages+=(curl)
[ -x /usr/sbin/nginx ] || packages+=(nginx-light)
[ -x /usr/bin/chromium ] || packages+=(chromium fonts-dejavu-core)
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-services: missing ${packages[*]}; run this script as root (apt-get install)" >&2
  exit 1
fi
echo "install-services: apt-get install ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
