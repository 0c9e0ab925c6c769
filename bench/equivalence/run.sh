#!/bin/bash
# Training-equivalence bench: each launch script in scripts/ is run as written under Megatron-LM's
# pretrain_gpt.py and, after `bridge-migrate --write` on a copy, under Bridge's run_recipe.py, for
# 20 steps on one GPU; the per-step `lm loss` and `grad norm` are compared. See README.md here.
#
# Usage: bench/equivalence/run.sh [PHASE...]      (default: migrate train compare)
#   migrate   copy the scripts and migrate the copies with the project's CLI (needs Node; run
#             `npm ci` in the repository first)
#   configs   resolve every launch's configuration on both sides without training (CPU is enough)
#             and list the settings that differ
#   train     run both sides of every case on the GPU
#   compare   parse the logs, print the table, write results.json; exit 1 when the verdict fails
#
# Environment:
#   MEGATRON_LM_DIR      folder with Megatron-LM's pretrain_gpt.py, gpt_builders.py, model_provider.py
#                        (configs, train)
#   MEGATRON_BRIDGE_DIR  folder with Bridge's scripts/training/{run_recipe,recipe_runner,recipe_metadata}.py
#                        and scripts/common/benchmark_parallelism.py (configs, train)
#   BENCH_OUT            output folder (default: <repo>/bench/out/equivalence, git-ignored)
#   BENCH_PYTHON         Python with torch and Megatron (default: python3)
#   BENCH_WHEELS         optional folder of wheels installed (no deps, no index) into $BENCH_OUT/site,
#                        which is put first on PYTHONPATH
#   BENCH_JOBS           runs at a time during train (default: 4); BENCH_ONLY: case names to run
#   BENCH_RUN_TIMEOUT    seconds per training run (default: 900)
#   BRIDGE_MIGRATE       the CLI (default: node <repo>/bin/bridge-migrate.js)
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
BENCH_OUT=${BENCH_OUT:-$REPO_DIR/bench/out/equivalence}
BENCH_PYTHON=${BENCH_PYTHON:-python3}
BENCH_JOBS=${BENCH_JOBS:-4}
BENCH_RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-900}
BRIDGE_MIGRATE=${BRIDGE_MIGRATE:-node $REPO_DIR/bin/bridge-migrate.js}
mkdir -p "$BENCH_OUT" && BENCH_OUT=$(cd "$BENCH_OUT" && pwd)
[ -n "${BENCH_WHEELS:-}" ] && BENCH_WHEELS=$(cd "$BENCH_WHEELS" && pwd)
SHIM_DIR=$BENCH_DIR/shim
WORK=$BENCH_OUT/work
LOGS=$BENCH_OUT/logs

die() { echo "run.sh: $*" >&2; exit 2; }

# Cases: name script migrate-options edits expect (cases.tsv, comments and blank lines skipped).
read_cases() {
    grep -v '^[[:space:]]*#' "$BENCH_DIR/cases.tsv" | grep -v '^[[:space:]]*$' | while read -r name script options edits expect; do
        if [ -n "${BENCH_ONLY:-}" ] && ! [[ " $BENCH_ONLY " == *" $name "* ]]; then continue; fi
        echo "$name $script $options $edits $expect"
    done
}

need_dirs() {
    [ -n "${MEGATRON_LM_DIR:-}" ] && [ -f "$MEGATRON_LM_DIR/pretrain_gpt.py" ] \
        || die "set MEGATRON_LM_DIR to a folder holding Megatron-LM's pretrain_gpt.py (README.md says how to fetch it)"
    [ -n "${MEGATRON_BRIDGE_DIR:-}" ] && [ -f "$MEGATRON_BRIDGE_DIR/scripts/training/run_recipe.py" ] \
        || die "set MEGATRON_BRIDGE_DIR to a folder holding Bridge's scripts/training/run_recipe.py (README.md says how to fetch it)"
    MEGATRON_LM_DIR=$(cd "$MEGATRON_LM_DIR" && pwd)
    MEGATRON_BRIDGE_DIR=$(cd "$MEGATRON_BRIDGE_DIR" && pwd)
    export MEGATRON_LM_DIR MEGATRON_BRIDGE_DIR
}

# The wheels (if any) and the PYTHONPATH both sides share; the Bridge side adds the shim in front.
setup_python() {
    SITE_PATH=""
    if [ -n "${BENCH_WHEELS:-}" ]; then
        if [ ! -f "$BENCH_OUT/site/.installed" ]; then
            "$BENCH_PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
                --target "$BENCH_OUT/site" "$BENCH_WHEELS"/*.whl || die "installing the wheels in $BENCH_WHEELS failed"
            touch "$BENCH_OUT/site/.installed"
        fi
        SITE_PATH=$BENCH_OUT/site
    fi
    # Wheel installs of megatron-core have the dataset helpers prebuilt but no Makefile for the
    # `make` both sides run at start-up: give them one that builds nothing (support/datasets.Makefile).
    local datasets
    datasets=$(PYTHONPATH=$SITE_PATH${PYTHONPATH:+:$PYTHONPATH} "$BENCH_PYTHON" -c 'import os, megatron
print(next((p for p in (os.path.join(m, "core", "datasets") for m in megatron.__path__) if os.path.isdir(p)), ""))' 2>/dev/null)
    if [ -n "$datasets" ] && [ ! -f "$datasets/Makefile" ] && ls "$datasets"/helpers_cpp*.so >/dev/null 2>&1; then
        cp "$BENCH_DIR/support/datasets.Makefile" "$datasets/Makefile" && echo "setup: installed support/datasets.Makefile in $datasets"
    fi
    BASE_PYTHONPATH=$SITE_PATH${PYTHONPATH:+${SITE_PATH:+:}$PYTHONPATH}
    # The launch scripts call `torchrun`; where only `python -m torch.distributed.run` exists, provide one.
    mkdir -p "$BENCH_OUT/bin"
    if ! command -v torchrun >/dev/null 2>&1; then
        printf '#!/bin/bash\nexec "%s" -m torch.distributed.run "$@"\n' "$BENCH_PYTHON" > "$BENCH_OUT/bin/torchrun"
        chmod +x "$BENCH_OUT/bin/torchrun"
        export PATH=$BENCH_OUT/bin:$PATH
    fi
}

phase_migrate() {
    mkdir -p "$WORK/megatron-lm" "$WORK/bridge"
    local status=0
    while read -r name script options edits expect; do
        [ -f "$BENCH_DIR/scripts/$script" ] || die "cases.tsv: $name: no script scripts/$script"
        cp "$BENCH_DIR/scripts/$script" "$WORK/megatron-lm/$script"
        local copy=$WORK/bridge/$name.sh
        cp "$BENCH_DIR/scripts/$script" "$copy"
        local extra=()
        [ "$options" != "-" ] && read -r -a extra <<< "${options//,/ }"
        if ! $BRIDGE_MIGRATE --write --quiet --json "$WORK/bridge/$name.report.json" "${extra[@]}" "$copy" \
                2> "$WORK/bridge/$name.migrate.log"; then
            echo "migrate: $name: bridge-migrate failed (see $WORK/bridge/$name.migrate.log)" >&2
            status=1
            continue
        fi
        if [ "$edits" != "-" ]; then
            "$BENCH_PYTHON" "$BENCH_DIR/compare.py" edit --script "$copy" --edits="$edits" || status=1
        fi
        echo "migrate: $name: scripts/$script, options: $options, edits: $edits -> $copy"
    done < <(read_cases)
    return $status
}

phase_configs() {
    need_dirs
    setup_python
    mkdir -p "$BENCH_OUT/configs"
    local status=0
    # Both sides get the shim here: it only adds typing.override on Python < 3.12 outside Bridge's modules.
    while read -r name script options edits expect; do
        if [ ! -f "$BENCH_OUT/configs/$script.megatron-lm.json" ]; then
            (cd "$WORK/megatron-lm" && PATH=$BENCH_DIR/fake-torchrun:$PATH BENCH_PYTHON=$BENCH_PYTHON \
                PYTHONPATH=$SHIM_DIR${BASE_PYTHONPATH:+:$BASE_PYTHONPATH} \
                BENCH_RESOLVED_OUT=$BENCH_OUT/configs/$script.megatron-lm.json \
                bash "$WORK/megatron-lm/$script" > "$BENCH_OUT/configs/$script.megatron-lm.log" 2>&1) \
                || { echo "configs: $script: Megatron-LM side failed (see $BENCH_OUT/configs/$script.megatron-lm.log)" >&2; status=1; }
        fi
        (cd "$WORK/bridge" && PATH=$BENCH_DIR/fake-torchrun:$PATH BENCH_PYTHON=$BENCH_PYTHON \
            PYTHONPATH=$SHIM_DIR${BASE_PYTHONPATH:+:$BASE_PYTHONPATH} \
            BENCH_RESOLVED_OUT=$BENCH_OUT/configs/$name.bridge.json \
            bash "$WORK/bridge/$name.sh" > "$BENCH_OUT/configs/$name.bridge.log" 2>&1) \
            || { echo "configs: $name: Bridge side failed (see $BENCH_OUT/configs/$name.bridge.log)" >&2; status=1; }
    done < <(read_cases)
    "$BENCH_PYTHON" "$BENCH_DIR/compare.py" configs --cases "$BENCH_DIR/cases.tsv" --out "$BENCH_OUT" ${BENCH_ONLY:+--only "$BENCH_ONLY"} || status=1
    return $status
}

# One training run in the background: side, label, script, port.
start_run() {
    local side=$1 label=$2 script=$3 port=$4 pythonpath=$BASE_PYTHONPATH
    [ "$side" = bridge ] && pythonpath=$SHIM_DIR${BASE_PYTHONPATH:+:$BASE_PYTHONPATH}
    mkdir -p "$BENCH_OUT/runs/$label.$side"
    (
        cd "$BENCH_OUT/runs/$label.$side" || exit 2
        start=$(date +%s)
        MASTER_PORT=$port PYTHONPATH=$pythonpath PYTHONUNBUFFERED=1 \
            timeout "$BENCH_RUN_TIMEOUT" bash "$script" > "$LOGS/$label.$side.log" 2>&1
        rc=$?
        echo "train: $label ($side): exit $rc after $(( $(date +%s) - start )) s"
        echo "$rc" > "$LOGS/$label.$side.rc"
    ) &
}

# What the runs ran on, for results.json: date, GPU, driver, Python and package versions.
record_environment() {
    PYTHONPATH=$BASE_PYTHONPATH "$BENCH_PYTHON" - "$BENCH_OUT/environment.json" <<'PY'
import datetime, json, platform, subprocess, sys
from importlib import metadata
def version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
def gpu():
    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                              capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
import torch
environment = {
    "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "gpu": gpu(),
    "python": platform.python_version(),
    "torch": torch.__version__,
    "cuda": torch.version.cuda,
    "cudnn": torch.backends.cudnn.version(),
    "packages": {name: version(name) for name in ("megatron-core", "megatron-bridge", "transformers", "hydra-core",
                                                   "omegaconf", "numpy", "triton", "datasets")},
}
json.dump(environment, open(sys.argv[1], "w"), indent=1)
print("environment:", json.dumps(environment))
PY
}

phase_train() {
    need_dirs
    setup_python
    # Several runs share the machine: one inductor compile thread each (no effect on the numbers).
    export TORCHINDUCTOR_COMPILE_THREADS=${TORCHINDUCTOR_COMPILE_THREADS:-1}
    mkdir -p "$LOGS"
    record_environment
    local port=29500 seen=" "
    local runs=()
    while read -r name script options edits expect; do
        if [[ "$seen" != *" $script "* ]]; then
            runs+=("megatron-lm ${script%.sh} $WORK/megatron-lm/$script")
            seen+="$script "
        fi
        runs+=("bridge $name $WORK/bridge/$name.sh")
    done < <(read_cases)
    echo "train: ${#runs[@]} runs, $BENCH_JOBS at a time"
    for run in "${runs[@]}"; do
        while [ "$(jobs -rp | wc -l)" -ge "$BENCH_JOBS" ]; do wait -n; done
        read -r side label script <<< "$run"
        port=$((port + 1))
        start_run "$side" "$label" "$script" "$port"
    done
    wait
}

phase_compare() {
    "$BENCH_PYTHON" "$BENCH_DIR/compare.py" logs --cases "$BENCH_DIR/cases.tsv" --out "$BENCH_OUT" ${BENCH_ONLY:+--only "$BENCH_ONLY"}
}

phases=("$@")
[ ${#phases[@]} -eq 0 ] && phases=(migrate train compare)
mkdir -p "$BENCH_OUT"
overall=0
for phase in "${phases[@]}"; do
    case "$phase" in
        migrate) phase_migrate || overall=1 ;;
        configs) phase_configs || overall=1 ;;
        train) phase_train || overall=1 ;;
        compare) phase_compare || overall=1 ;;
        all) phase_migrate && phase_train; phase_compare || overall=1 ;;
        *) die "unknown phase '$phase' (migrate, configs, train, compare)" ;;
    esac
done
exit $overall
