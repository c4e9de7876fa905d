#!/usr/bin/env bash
# The version matrix: ansible-test sanity and the unit tests on every supported ansible-core release, each on a
# Python it supports, and the CLI integration tests on the oldest and the newest release.
#
#   bash scripts/matrix.sh              every cell (2.17 2.18 2.19 2.20 2.21)
#   bash scripts/matrix.sh 2.17 2.21    only those cells
#
# Each cell has its own virtualenv under build/matrix/ (git-ignored and left out of the built collection), except
# 2.19, which is the development .venv of scripts/setup.sh. A cell that cannot be set up (a Python missing, an
# install failing) is a failure, not a skip. The amazon.aws collection of .collections is used by every cell: its
# meta/runtime.yml says requires_ansible ">=2.17.0", the same floor as ours. Ends with one line per cell and exits
# non-zero when any cell failed.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

# cell -> the ansible-core release (its newest patch) and the Python it runs on. ansible-core's controller
# Python support: 2.17 = 3.10-3.12, 2.18 = 3.11-3.13, 2.19 = 3.11-3.13, 2.20 = 3.12-3.14, 2.21 = 3.12-3.14
# (https://docs.ansible.com/ansible/latest/reference_appendices/release_and_maintenance.html).
declare -A core_version=([2.17]=2.17.14 [2.18]=2.18.19 [2.19]=2.19.14 [2.20]=2.20.10 [2.21]=2.21.5)
declare -A python_version=([2.17]=3.10 [2.18]=3.11 [2.19]=3.11 [2.20]=3.12 [2.21]=3.13)
all_cells=(2.17 2.18 2.19 2.20 2.21)
# The CLI integration tests (ansible, ansible-playbook, ansible-doc against a moto_server) on the oldest and newest.
integration_cells=" 2.17 2.21 "
integration_tests=(tests/integration/test_s3_object_restore_cli.py tests/integration/test_first_hour_cli.py
                   tests/integration/test_installed_collection.py)

cells=("$@")
if [ "${#cells[@]}" -eq 0 ]; then
    cells=("${all_cells[@]}")
fi
for cell in "${cells[@]}"; do
    if [ -z "${core_version[$cell]:-}" ]; then
        echo "matrix: unknown cell '$cell': choose among ${all_cells[*]}" >&2
        exit 2
    fi
done

bash scripts/setup.sh

if ! grep -q 'SANITY_VENV' scripts/sanity.sh; then
    echo "matrix: scripts/sanity.sh does not take SANITY_VENV, so it cannot run sanity in another virtualenv" >&2
    exit 1
fi

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

# Set up (idempotently) the virtualenv of a cell: test-requirements.txt with ansible-core replaced by the cell's.
setup_cell() {
    local cell=$1 venv=$2 python requirements stamp
    if [ "$cell" = 2.19 ]; then
        return 0  # scripts/setup.sh made .venv, with ansible-core pinned by test-requirements.txt
    fi
    requirements=$(grep -v '^ansible-core==' test-requirements.txt; echo "ansible-core==${core_version[$cell]}")
    stamp="$venv/.s3async-requirements"
    if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$requirements" ]; then
        return 0
    fi
    if ! python=$(find_python "${python_version[$cell]}"); then
        echo "matrix: $cell: no Python ${python_version[$cell]} on this machine (pyenv install ${python_version[$cell]})" >&2
        return 1
    fi
    # `|| return 1` on each step: set -e does not apply inside a function called as an if condition.
    rm -rf "$venv"
    "$python" -m venv "$venv" || return 1
    "$venv/bin/python" -m pip install --quiet --upgrade pip || return 1
    "$venv/bin/python" -m pip install --quiet -r <(echo "$requirements") || return 1
    echo "$requirements" > "$stamp"
}

# Run one cell; writes what failed to the file $3, returns non-zero when anything did.
run_cell() {
    local cell=$1 venv=$2 failures=$3 failed=() installed
    installed=$("$venv/bin/python" -c 'import ansible.release, sys; print(ansible.release.__version__, sys.version.split()[0])') \
        || return 1
    echo "matrix: $cell: ansible-core and Python: $installed"
    SANITY_VENV="$venv" bash scripts/sanity.sh || failed+=(sanity)
    "$venv/bin/python" -m pytest tests/unit -q -p no:cacheprovider || failed+=(unit)
    if [[ "$integration_cells" == *" $cell "* ]]; then
        "$venv/bin/python" -m pytest "${integration_tests[@]}" -q -p no:cacheprovider || failed+=(integration)
    fi
    if [ "${#failed[@]}" -gt 0 ]; then
        echo "${failed[*]}" > "$failures"
        return 1
    fi
}

summary=()
status=0
failures=$(mktemp)
trap 'rm -f "$failures"' EXIT
for cell in "${cells[@]}"; do
    venv="$repo_root/build/matrix/venv-$cell"
    if [ "$cell" = 2.19 ]; then venv="$repo_root/.venv"; fi
    start=$SECONDS
    echo "matrix: === ansible-core $cell on Python ${python_version[$cell]} ==="
    if ! setup_cell "$cell" "$venv"; then
        summary+=("$cell: FAILED (set-up)")
        status=1
        continue
    fi
    setup_seconds=$((SECONDS - start))
    echo "set-up" > "$failures"
    if run_cell "$cell" "$venv" "$failures"; then
        summary+=("$cell: passed (set-up ${setup_seconds}s, total $((SECONDS - start))s)")
    else
        summary+=("$cell: FAILED ($(cat "$failures"); total $((SECONDS - start))s)")
        status=1
    fi
done
printf 'matrix: %s\n' "${summary[@]}"
exit "$status"
