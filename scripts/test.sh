#!/usr/bin/env bash
# Run every test, from a fresh clone or an existing checkout: set up .venv and .collections, ansible-test sanity,
# the changelog linters, the check that docs/modules matches the modules' documentation, the complexity gates, then
# the unit and integration tests in ONE pytest run. Extra arguments go to pytest.
#
# Beside these, in the background, two lanes of about the same length that with the foreground keep two cores busy:
#   - scripts/matrix.sh 2.17 2.18: sanity and unit tests on those ansible-core releases, the CLI integration tests on
#     2.17 (2.19 is the .venv's: the foreground tests it); then scripts/lint.sh (ansible-lint, antsibull-docs
#     lint-collection-docs);
#   - scripts/matrix.sh 2.20 2.21 (the CLI integration tests on 2.21), then scripts/galaxy_check.sh
#     (galaxy-importer on the built tarball, ansible-builder).
# Their output goes to build/test-logs/ and is printed once pytest has finished.
#
# pytest runs last, and even after an earlier step failed, so that one run shows every failure; pytest's summary
# line is printed again at the very end, after the background reports, so that it is the last line printed. Exits
# non-zero if any step failed. S3ASYNC_TEST_QUICK=1 leaves the background steps out (a quicker local run).
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
bash scripts/setup.sh

logs="$repo_root/build/test-logs"
rm -rf "$logs"
mkdir -p "$logs"
# lane "SCRIPT [ARGS...]" ...: runs the scripts one after the other, each into build/test-logs/NAME.log (NAME: the
# script and its arguments, e.g. matrix-2.17-2.18); a script that fails leaves its NAME in build/test-logs/failed.
lane() {
    local script name
    for script in "$@"; do
        name=${script#scripts/}
        name=${name/.sh/}
        name=${name// /-}
        # shellcheck disable=SC2086 # a script and its arguments, one word each
        if ! bash $script >"$logs/$name.log" 2>&1 </dev/null; then
            echo "$name" >>"$logs/failed"
        fi
        echo "$name" >>"$logs/done"
    done
}
# Every cell of scripts/matrix.sh but 2.19, in two halves (each with one set of CLI tests), and a tool check each.
background_steps=(matrix-2.17-2.18 lint matrix-2.20-2.21 galaxy_check)
background=()
if [ "${S3ASYNC_TEST_QUICK:-}" != 1 ]; then
    echo "test.sh: started in the background: the version matrix (scripts/matrix.sh 2.17 2.18, 2.20 2.21)," \
        "scripts/lint.sh and scripts/galaxy_check.sh; their reports follow pytest's run"
    MATRIX_JOBS=1 lane "scripts/matrix.sh 2.17 2.18" scripts/lint.sh & background+=($!)
    MATRIX_JOBS=1 lane "scripts/matrix.sh 2.20 2.21" scripts/galaxy_check.sh & background+=($!)
fi

failed=()
bash scripts/sanity.sh || failed+=(sanity)
if .venv/bin/antsibull-changelog lint \
    && .venv/bin/antsibull-changelog lint-changelog-yaml --strict changelogs/changelog.yaml; then
    echo "changelog: fragments and changelogs/changelog.yaml are valid"
else
    failed+=(changelog)
fi
bash scripts/docs.sh --check || failed+=(docs)
# amazon.aws's own gates: no function above 15 on McCabe's cyclomatic complexity or on cognitive complexity.
if .venv/bin/flake8 --select=C901,CCR001 --max-complexity=15 --max-cognitive-complexity=15 plugins/; then
    echo "complexity: every function under plugins/ is within McCabe 15 and cognitive complexity 15"
else
    failed+=(complexity)
fi
if [ "${#failed[@]}" -gt 0 ]; then
    echo "test.sh: FAILED: ${failed[*]} (see above); running pytest anyway, the exit code will be non-zero" >&2
fi

status=0
start=$SECONDS
.venv/bin/python -m pytest tests/unit tests/integration -p no:cacheprovider "$@" 2>&1 | tee "$logs/pytest.log" \
    || status=${PIPESTATUS[0]}
if [ "${#background[@]}" -gt 0 ]; then
    echo "test.sh: pytest took $((SECONDS - start))s; waiting for the background steps" \
        "($(tr '\n' ' ' <"$logs/done" 2>/dev/null || true)done so far)"
    wait "${background[@]}" || true
    for name in "${background_steps[@]}"; do
        echo "=== test.sh: ${name} (in the background) ==="
        cat "$logs/$name.log" 2>/dev/null || echo "test.sh: ${name} did not run"
    done
    if [ -f "$logs/failed" ]; then
        mapfile -t -O "${#failed[@]}" failed <"$logs/failed"
    fi
fi
echo "test.sh: done in ${SECONDS}s${failed[*]:+; FAILED: ${failed[*]}}"
if [ "$status" -eq 0 ] && [ "${#failed[@]}" -gt 0 ]; then
    status=1
fi
# pytest's summary line, last.
tail -n 1 "$logs/pytest.log"
exit "$status"
