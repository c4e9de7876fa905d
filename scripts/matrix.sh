#!/usr/bin/env bash
# The version matrix: ansible-test sanity and the unit tests on every supported ansible-core release, each on a
# Python it supports, and the CLI integration tests on the oldest and the newest release.
#
#   bash scripts/matrix.sh              every cell (2.17 2.18 2.19 2.20 2.21)
#   bash scripts/matrix.sh 2.17 2.21    only those cells
#   bash scripts/matrix.sh --others     every cell but 2.19, the development .venv's release that scripts/test.sh
#                                       tests itself (scripts/test.sh runs the matrix so)
#
# Each cell has its own virtualenv under build/matrix/ (git-ignored and left out of the built collection), except
# 2.19, which is the development .venv of scripts/setup.sh. A cell that cannot be set up (a Python missing, an
# install failing) is a failure, not a skip. The amazon.aws collection of .collections is used by every cell: its
# meta/runtime.yml says requires_ansible ">=2.17.0", the same floor as ours.
#
# The virtualenvs are set up side by side (pip waits on downloads more than on the processor); then the cells run one
# after the other. In a cell, sanity and the unit tests run side by side on a machine with two cores or more, unless
# MATRIX_JOBS=1 (scripts/test.sh sets it: its own tests run beside the matrix). Each step's output goes to
# build/matrix/logs/CELL-STEP.log; a step that fails has the end of its log printed. Ends with one line per cell
# (with the set-up time) and exits non-zero when any cell failed.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

# cell -> the ansible-core release (its newest patch) and the Python it runs on. ansible-core's controller
# Python support: 2.17 = 3.10-3.12, 2.18 = 3.11-3.13, 2.19 = 3.11-3.13, 2.20 = 3.12-3.14, 2.21 = 3.12-3.14
# (https://docs.ansible.com/ansible/latest/reference_appendices/release_and_maintenance.html).
declare -A core_version=([2.17]=2.17.14 [2.18]=2.18.19 [2.19]=2.19.14 [2.20]=2.20.10 [2.21]=2.21.5)
declare -A python_version=([2.17]=3.10 [2.18]=3.11 [2.19]=3.11 [2.20]=3.12 [2.21]=3.13)
all_cells=(2.17 2.18 2.19 2.20 2.21)
main_cell=2.19
# The CLI integration tests (ansible, ansible-playbook, ansible-doc against a moto_server) on the oldest and newest.
integration_cells=" 2.17 2.21 "
integration_tests=(tests/integration/test_s3_object_restore_cli.py tests/integration/test_first_hour_cli.py
                   tests/integration/test_installed_collection.py)
# How many lines of a failed step's log to print.
log_tail_lines=120

cells=()
for argument in "$@"; do
    if [ "$argument" = --others ]; then
        for cell in "${all_cells[@]}"; do
            if [ "$cell" != "$main_cell" ]; then cells+=("$cell"); fi
        done
    elif [ -n "${core_version[$argument]:-}" ]; then
        cells+=("$argument")
    else
        echo "matrix: unknown cell '$argument': choose among ${all_cells[*]} (or --others)" >&2
        exit 2
    fi
done
if [ "${#cells[@]}" -eq 0 ]; then
    cells=("${all_cells[@]}")
fi
jobs=${MATRIX_JOBS:-$(nproc)}

bash scripts/setup.sh

if ! grep -q 'SANITY_VENV' scripts/sanity.sh; then
    echo "matrix: scripts/sanity.sh does not take SANITY_VENV, so it cannot run sanity in another virtualenv" >&2
    exit 1
fi
logs="$repo_root/build/matrix/logs"
mkdir -p "$logs"

# The interpreter for Python X.Y: pyenv's full path (its pythonX.Y shims refuse to run unless X.Y is selected),
# else pythonX.Y on PATH.
find_python() {
    local version=$1 root candidate
    if root=$(pyenv root 2>/dev/null); then
        for candidate in "$root"/versions/"$version".*/bin/python"$version"; do
            if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
        done
    fi
    command -v "python$version" 2>/dev/null
}

cell_venv() {
    if [ "$1" = "$main_cell" ]; then echo "$repo_root/.venv"; else echo "$repo_root/build/matrix/venv-$1"; fi
}

# Set up (idempotently) the virtualenv of a cell: test-requirements.txt with ansible-core replaced by the cell's.
setup_cell() {
    local cell=$1 venv python requirements stamp
    venv=$(cell_venv "$cell")
    if [ "$cell" = "$main_cell" ]; then
        return 0  # scripts/setup.sh made .venv, with ansible-core pinned by test-requirements.txt
    fi
    requirements=$(grep -v '^ansible-core==' test-requirements.txt; echo "ansible-core==${core_version[$cell]}")
    stamp="$venv/.s3async-requirements"
    if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$requirements" ]; then
        echo "matrix: $cell: the virtualenv is set up already"
        return 0
    fi
    if ! python=$(find_python "${python_version[$cell]}"); then
        echo "matrix: $cell: no Python ${python_version[$cell]} on this machine (pyenv install ${python_version[$cell]})"
        return 1
    fi
    # `|| return 1` on each step: set -e does not apply inside a function called as an if condition.
    rm -rf "$venv"
    "$python" -m venv "$venv" || return 1
    "$venv/bin/python" -m pip install --quiet --upgrade pip || return 1
    "$venv/bin/python" -m pip install --quiet -r <(echo "$requirements") || return 1
    echo "$requirements" > "$stamp"
}

# run_step CELL STEP: the step's output into its log; one line saying how it went (and the end of the log when it
# failed). The status is the step's.
run_step() {
    local cell=$1 step=$2 venv log start status=0
    venv=$(cell_venv "$cell")
    log="$logs/$cell-$step.log"
    start=$SECONDS
    case $step in
        sanity) SANITY_VENV="$venv" bash scripts/sanity.sh ;;
        unit) "$venv/bin/python" -m pytest tests/unit -q -p no:cacheprovider ;;
        integration) "$venv/bin/python" -m pytest "${integration_tests[@]}" -q -p no:cacheprovider ;;
    esac >"$log" 2>&1 </dev/null || status=$?
    if [ "$status" -eq 0 ]; then
        echo "matrix: $cell: $step passed in $((SECONDS - start))s"
    else
        echo "matrix: $cell: $step FAILED (exit $status, $((SECONDS - start))s); the end of its log:"
        tail -n "$log_tail_lines" "$log" | sed "s/^/  $cell $step | /"
    fi
    return "$status"
}

# Run one cell's steps; writes what failed (nothing when all passed) to build/matrix/logs/CELL.failed.
run_cell() {
    local cell=$1 failed=() sanity_job unit_job
    if [ "$jobs" -ge 2 ]; then
        run_step "$cell" sanity & sanity_job=$!
        run_step "$cell" unit & unit_job=$!
        wait "$sanity_job" || failed+=(sanity)
        wait "$unit_job" || failed+=(unit)
    else
        run_step "$cell" sanity || failed+=(sanity)
        run_step "$cell" unit || failed+=(unit)
    fi
    if [[ "$integration_cells" == *" $cell "* ]]; then
        run_step "$cell" integration || failed+=(integration)
    fi
    echo "${failed[*]}" >"$logs/$cell.failed"
}

# The virtualenvs, side by side.
declare -A setup_job setup_seconds
start=$SECONDS
echo "matrix: setting up the virtualenvs of ${cells[*]} side by side (logs in build/matrix/logs/CELL-setup.log)"
for cell in "${cells[@]}"; do
    # each set-up writes how long it took, so that the time of one is not another's
    (
        cell_start=$SECONDS
        setup_cell "$cell" || exit 1
        echo "$((SECONDS - cell_start))" >"$logs/$cell-setup.seconds"
    ) >"$logs/$cell-setup.log" 2>&1 </dev/null & setup_job[$cell]=$!
done
summary=()
status=0
for cell in "${cells[@]}"; do
    if wait "${setup_job[$cell]}"; then
        setup_seconds[$cell]=$(cat "$logs/$cell-setup.seconds")
        continue
    fi
    echo "matrix: $cell: the set-up of ansible-core ${core_version[$cell]} on Python ${python_version[$cell]} FAILED:"
    tail -n "$log_tail_lines" "$logs/$cell-setup.log" | sed "s/^/  $cell set-up | /"
    summary+=("$cell: FAILED (set-up)")
    status=1
done
echo "matrix: set-up of ${cells[*]} done in $((SECONDS - start))s"

for cell in "${cells[@]}"; do
    if [ -z "${setup_seconds[$cell]:-}" ]; then
        continue
    fi
    venv=$(cell_venv "$cell")
    start=$SECONDS
    if ! installed=$("$venv/bin/python" -c 'import ansible.release, sys; print(ansible.release.__version__, sys.version.split()[0])'); then
        summary+=("$cell: FAILED (its virtualenv has no ansible-core)")
        status=1
        continue
    fi
    echo "matrix: === $cell: ansible-core and Python ${installed/ / on } ==="
    run_cell "$cell"
    cell_failures=$(cat "$logs/$cell.failed")
    if [ -z "$cell_failures" ]; then
        summary+=("$cell: passed (ansible-core and Python ${installed/ / on }; set-up ${setup_seconds[$cell]}s, tests $((SECONDS - start))s)")
    else
        summary+=("$cell: FAILED ($cell_failures; logs in build/matrix/logs/$cell-*.log)")
        status=1
    fi
done
printf 'matrix: %s\n' "${summary[@]}"
exit "$status"
