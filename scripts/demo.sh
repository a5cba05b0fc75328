#!/usr/bin/env bash
# Install everything this project needs (Docker engine, Python deps, sandbox
# image), then grade the sample exams' submissions end to end and print tables.
#   bash scripts/demo.sh            grade, print tables
#   bash scripts/demo.sh --board    the same, then start the board with the demo exam and
#                                   demo accounts (prints the URL, passwords and login codes)
#   bash scripts/demo.sh --contest  install, then a competition: three sites' boards export
#                                   signed results, the national board imports and ranks them
#                                   (scripts/demo_contest.sh, docs/contest.md)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$REPO/scripts/setup.sh"
cd "$REPO"
P="$REPO/.venv/bin/practicum"

if [ "${1:-}" = "--contest" ]; then
  exec bash "$REPO/scripts/demo_contest.sh"
fi

for exam in exams/*/; do
  exam=${exam%/}
  echo
  echo "==> $exam: check the package"
  "$P" exam check "$exam"
  echo
  echo "==> $exam: grade every reference solution (full marks and flawed ones)"
  "$P" exam prove "$exam"
done

echo
echo "==> exams/demo: one candidate's whole submission, as a candidate would see it (zh)"
"$P" grade exams/demo reference_solutions/demo/full --lang zh

if [ "${1:-}" = "--board" ]; then
  echo
  echo "==> the results board with the demo exam (Ctrl-C stops it)"
  exec "$P" serve --demo --host "${PRACTICUM_HOST:-127.0.0.1}" --port "${PRACTICUM_PORT:-8000}"
fi
