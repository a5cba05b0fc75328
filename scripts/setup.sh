#!/usr/bin/env bash
# Set up everything Practicum needs on a Debian 12 machine, as root. Safe to run
# again: each step is skipped when already done.
#   1. Debian packages: the Docker engine (docker.io), debootstrap, python venv,
#      Chromium and a CJK font (browser tests of the board), redis-server and
#      postgresql (the distributed mode's tests start their own servers)
#   2. the Docker engine, started in the background if it is not answering
#   3. a virtualenv in .venv with this package and its test dependencies
#   4. the sandbox image, built offline (skipped when its inputs are unchanged)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive
say() { printf '==> %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: run as root (it installs Debian packages and starts the Docker engine)" >&2
  exit 1
fi

# 1. Debian packages --------------------------------------------------------
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# the board's browser tests: Debian's Chromium (never a downloaded browser) and a CJK font
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
# certificate PDFs: WeasyPrint lays text out with Debian's Pango (and HarfBuzz's subsetter)
compgen -G '/usr/lib/*/libpangoft2-1.0.so.0' >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
compgen -G '/usr/lib/*/libharfbuzz-subset.so.0' >/dev/null || need+=(libharfbuzz-subset0)
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then need+=(python3-venv); fi
# the distributed mode's tests run their own redis-server and PostgreSQL (tests/infra.py), each
# on a free port in a temp dir: the packages' system services are not needed, so apt does not
# start them (a service enabled for the next boot is harmless: other ports)
servers=()
[ -x /usr/bin/redis-server ] || servers+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || servers+=(postgresql)
if [ ${#need[@]} -gt 0 ] || [ ${#servers[@]} -gt 0 ]; then
  apt-get update -qq
fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing Debian packages: ${need[*]}"
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ${#servers[@]} -gt 0 ]; then
  say "installing Debian packages (their services left stopped): ${servers[*]}"
  policy=/usr/sbin/policy-rc.d
  if [ -e "$policy" ]; then   # the machine has its own (Debian's container images forbid all): it decides
    apt-get install -y -qq "${servers[@]}" >/dev/null
  else                          # exit 101: invoke-rc.d and deb-systemd-invoke start nothing
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
    apt-get install -y -qq "${servers[@]}" >/dev/null
    rm -f "$policy"
    trap - EXIT
  fi
fi
if [ ${#need[@]} -eq 0 ] && [ ${#servers[@]} -eq 0 ]; then
  say "Debian packages: present"
fi

# 2. the Docker engine ------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  say "starting the Docker engine (log: /var/log/practicum-dockerd.log)"
  nohup dockerd >/var/log/practicum-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "setup.sh: dockerd did not answer within 60 s; see /var/log/practicum-dockerd.log" >&2; exit 1; }
fi
say "Docker engine: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"

# 3. the Python environment -------------------------------------------------
VENV="$REPO/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  python3 -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha256sum "$REPO/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing Python dependencies into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$REPO[test]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
else
  say "Python dependencies: present"
fi

# 4. the sandbox image ------------------------------------------------------
say "sandbox image (built offline; skipped when up to date)"
"$VENV/bin/practicum" image build default
