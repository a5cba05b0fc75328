#!/usr/bin/env bash
# A small competition end to end on one machine (run by `bash scripts/demo.sh --contest`,
# after setup): three provincial sites, each its own board and database, two divisions;
# teams sign in and hand in the sample exam's solutions, graded in the real sandbox; each
# site signs and exports its results package; the national board (a fourth database)
# verifies and imports them, refuses a tampered copy, and prints the national ranking with
# awards and finalists. See docs/contest.md.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
PY="$REPO/.venv/bin/python"
P="$REPO/.venv/bin/practicum"
OUT="${PRACTICUM_CONTEST_DEMO:-${TMPDIR:-/tmp}/practicum-contest-demo}"
KEY=ai-trainer-2026
SITES=(A B C)
rm -rf "$OUT"
mkdir -p "$OUT/packages"
say() { echo; echo "==> $*"; }

for s in "${SITES[@]}"; do
  I="$OUT/site-$s"
  say "site $s: its own board ($I): the sample exam, competition $KEY, a team list in both divisions"
  "$PY" -m support.contest_demo prepare --instance "$I" --site "$s"
  "$P" contest teams "$KEY" "$I/teams.xlsx" --codes "$I/codes.csv" --instance "$I"
  say "site $s: every team's members sign in with their own codes and hand in; graded in the sandbox"
  "$PY" -m support.contest_demo hand-in --instance "$I" --site "$s"
  say "site $s: its signing key (once), then the signed results package"
  "$P" results keygen "$KEY" --instance "$I" > "$I/public.key"
  "$P" results export "$KEY" --out "$OUT/packages/site-$s.zip" --instance "$I"
done

N="$OUT/national"
say "the national board ($N): the competition, the exam every site ran, the sites' public keys"
"$P" contest create "$KEY" --instance "$N" --exam-sha256 "$(cat "$OUT/site-A/exam.sha256")" \
  --title-zh "人工智能训练师职业技能竞赛（演示）" --title-en "AI trainer skills competition (demo)" \
  --awards '{"mode": "ratio", "tiers": [20, 30, 30]}' --finalists '{"mode": "quota", "quota": 1, "top": 2}'
for s in "${SITES[@]}"; do
  "$P" results trust "$KEY" --site "$s" --public-key "$(cat "$OUT/site-$s/public.key")" --name "赛区 $s" --instance "$N"
done

say "a package changed after it was signed (site C's first team given 100 points)"
"$PY" -m support.contest_demo tamper "$OUT/packages/site-C.zip" "$OUT/packages/site-C-tampered.zip"

say "verify every package on the national board (the tampered one must be refused: exit 1)"
"$P" results verify "$OUT"/packages/site-[ABC].zip --competition "$KEY" --instance "$N"
if "$P" results verify "$OUT/packages/site-C-tampered.zip" --competition "$KEY" --instance "$N"; then
  echo "demo: the tampered package was NOT refused" >&2; exit 1
fi

say "import: the three sites, and the tampered copy (refused, recorded with its reason)"
if "$P" results import "$OUT"/packages/site-[ABC].zip "$OUT/packages/site-C-tampered.zip" --competition "$KEY" --instance "$N"; then
  echo "demo: the import should have refused the tampered package" >&2; exit 1
fi
say "import site A again: nothing changes"
"$P" results import "$OUT/packages/site-A.zip" --competition "$KEY" --instance "$N"

say "the national ranking per division, with awards and finalists"
"$P" results ranking "$KEY" --instance "$N"
"$P" results ranking "$KEY" --format csv --instance "$N" > "$OUT/national-ranking.csv"

PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(9))')
"$P" user add examiner --role examiner --password "$PASSWORD" --instance "$N" >/dev/null
cat <<MSG

==> where to look
  packages:          $OUT/packages/ (site-A.zip ... and site-C-tampered.zip)
  national ranking:  $OUT/national-ranking.csv
  the national board's pages (imports with the refusal, division tabs, awards, exports):
      $P serve --instance $N --port 8001
      then http://127.0.0.1:8001/login/staff  as examiner / $PASSWORD  ->  Competitions
  a site's board (division boards, teams):  $P serve --instance $OUT/site-A --port 8002
      (user add on that board first: $P user add admin --role admin --instance $OUT/site-A)
MSG
