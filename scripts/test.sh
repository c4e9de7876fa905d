#!/usr/bin/env bash
# Run every test, from a fresh clone or an existing checkout: set up .venv and .collections, ansible-test sanity,
# the changelog linters, the check that docs/modules matches the modules' documentation, the complexity gates, then the unit and integration tests in ONE pytest run. Extra arguments go to pytest.
# pytest runs last, and even after an earlier step failed, so that one run shows every failure and the last line
# printed is pytest's summary. Exits non-zero if any step failed.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
bash scripts/setup.sh

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
.venv/bin/python -m pytest tests/unit tests/integration -p no:cacheprovider "$@" || status=$?
if [ "$status" -eq 0 ] && [ "${#failed[@]}" -gt 0 ]; then
    status=1
fi
exit "$status"
