#!/usr/bin/env bash
# Install everything this project needs (Docker engine, Python deps, sandbox
# image) and run the whole test suite against the real engine.
#   bash scripts/test.sh [pytest args]
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$REPO/scripts/setup.sh"
cd "$REPO"
echo "==> running the tests"
exec "$REPO/.venv/bin/python" -m pytest -p no:cacheprovider "$@"
