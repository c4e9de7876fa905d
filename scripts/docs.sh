#!/usr/bin/env bash
# Render one reStructuredText page per module from its DOCUMENTATION / EXAMPLES / RETURN into docs/modules/,
# with antsibull-docs (offline). `scripts/docs.sh --check` renders into a temporary folder and fails when the
# committed pages differ, so the pages never drift from the modules.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
export PATH="$repo_root/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$repo_root/.collections"

rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
target=docs/modules
if [ "${1:-}" = "--check" ]; then
    target="$rendered/pages"
fi
mkdir -p "$target"
for module_file in plugins/modules/*.py; do
    name=$(basename "$module_file" .py)
    antsibull-docs plugin --dest-dir "$rendered" --plugin-type module --output-format simplified-rst \
        --no-add-antsibull-docs-version --fail-on-error "s3async.restore.$name" >/dev/null
    # Pages link to each other as <name>_module.rst: name the files so.
    mv "$rendered/s3async.restore.${name}_module.rst" "$target/${name}_module.rst"
done

if [ "${1:-}" = "--check" ]; then
    if ! diff -r -q docs/modules "$target" >/dev/null; then
        diff -r -u docs/modules "$target" | head -40 >&2
        echo "docs: docs/modules is out of date with the modules' documentation: run scripts/docs.sh" >&2
        exit 1
    fi
    echo "docs: docs/modules is up to date"
fi
