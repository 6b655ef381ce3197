#!/usr/bin/env bash
# Records the user-visible outputs (stdout + summary/sweep JSON) of the main commands on fixed inputs into OUTDIR,
# with run-specific values (wall times, the output folder's path) normalised, so that two recordings -- before and
# after a refactor -- can be compared with `diff -r`. Needs ../shared (real data) beside the repository.
# Usage: tools/regress/record.sh OUTDIR
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
SHARED="${TARE_SHARED:-$ROOT/../shared}"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
T="$ROOT/tare"
RES="$SHARED/data/rm-scores/internlm-xcomposer2d5-7b-reward/rm_bench/results.json"
run() { local name="$1"; shift; "$T" "$@" >"$W/$name.stdout" 2>"$W/$name.stderr" || { echo "FAILED: $name: $*" >&2; tail -20 "$W/$name.stderr" >&2; exit 1; }; }
run demo-sim demo --simulate --out "$W/demo-sim"
run demo-real demo --out "$W/demo-real"
run tiny tiny --out "$W/models"
run eval eval --scorer "local:$W/models/rm" --benchmark rm-bench --data "$SHARED/data/rm-bench" --limit 6 --out "$W/eval"
run calibrate calibrate --results "$W/eval/results.jsonl" --data "$SHARED/data/rm-bench" --benchmark rm-bench --method lwr --feature chars --out "$W/calibrate"
run report report --results "$W/eval/results.jsonl" --data "$SHARED/data/rm-bench" --benchmark rm-bench --out "$W/report"
run metrics metrics --benchmark rm-bench --results "$RES" --json
run metrics-eval metrics --benchmark rm-bench --results "$W/eval/results.jsonl" --json
run sweep sweep --model "$W/models/rm" --adapter "$W/models/bias-lora" --lambdas=-1,0,1 --benchmark rm-bench \
    --data "$SHARED/data/rm-bench" --head base --max-items 4 --out "$W/sweep"
python3 - "$W" "$OUT" <<'PY'
import json, os, re, sys
w, out = sys.argv[1], sys.argv[2]
TIME_KEYS = {"seconds", "wall_s", "elapsed", "elapsed_s", "wall_seconds", "time_s", "completion_tokens_per_second"}
def clean_text(s):
    s = s.replace(w, "$W")
    s = re.sub(r"\b\d+(\.\d+)? ?(s|it/s|items/s|responses/s)\b", "<t>", s)
    s = re.sub(r"elapsed \d+:\d+(:\d+)?", "elapsed <t>", s)
    return s
def clean_json(o):
    if isinstance(o, dict):
        return {k: clean_json(v) for k, v in o.items() if k not in TIME_KEYS}
    if isinstance(o, list):
        return [clean_json(v) for v in o]
    if isinstance(o, str):
        return o.replace(w, "$W")
    return o
for name in sorted(os.listdir(w)):
    p = os.path.join(w, name)
    if name.endswith(".stdout"):
        open(os.path.join(out, name), "w").write(clean_text(open(p).read()))
    elif os.path.isdir(p):
        for root, _, files in os.walk(p):
            for f in files:
                if f in ("summary.json", "sweep.json") or (f.endswith(".jsonl") and "results" in f):
                    src = os.path.join(root, f)
                    rel = os.path.relpath(src, w).replace(os.sep, "__")
                    if f.endswith(".json"):
                        open(os.path.join(out, rel), "w").write(json.dumps(clean_json(json.load(open(src))), indent=1, sort_keys=True) + "\n")
                    else:
                        open(os.path.join(out, rel), "w").write(clean_text(open(src).read()))
print("recorded", len(os.listdir(out)), "files in", out)
PY
