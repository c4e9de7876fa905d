#!/usr/bin/env bash
# Lint what users copy and read:
#   - ansible-lint (production profile, offline) on docs/runbook/ and on every module's EXAMPLES, each module's
#     EXAMPLES wrapped into a playbook of its own;
#   - antsibull-docs lint-collection-docs on the collection (module docs, seealso links, semantic markup).
# ansible-lint gets a virtualenv of its own (build/tools/lint): it pins ansible-core and ansible-compat versions
# that must not change the development .venv. Needs scripts/setup.sh to have run. Exits non-zero on any finding.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
# ansible-core pinned too (ansible-lint would take the newest), the .venv's release, so that a run is repeatable.
requirements="ansible-lint==26.10.1 ansible-core==2.19.14"
lint_venv="$repo_root/build/tools/lint"
if [ ! -x .venv/bin/antsibull-docs ] || [ ! -f .collections/ansible_collections/amazon/aws/MANIFEST.json ]; then
    echo "lint: run scripts/setup.sh first" >&2
    exit 1
fi
if [ "$(cat "$lint_venv/.s3async-requirements" 2>/dev/null)" != "$requirements" ]; then
    rm -rf "$lint_venv"
    .venv/bin/python -m venv "$lint_venv"
    # shellcheck disable=SC2086 # one word per requirement
    "$lint_venv/bin/python" -m pip install --quiet $requirements >"$lint_venv.log" 2>&1 \
        || { cat "$lint_venv.log" >&2; exit 1; }
    echo "$requirements" > "$lint_venv/.s3async-requirements"
fi
# antsibull-docs runs ansible-galaxy and ansible-doc from PATH: the .venv's.
export ANSIBLE_COLLECTIONS_PATH="$repo_root/.collections" PATH="$repo_root/.venv/bin:$PATH"

failed=()
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each module's EXAMPLES (a list of tasks) as a playbook: one play on localhost, as the README runs them.
.venv/bin/python - "$work" plugins/modules/*.py <<'PY'
import ast, os, sys
import yaml

work = sys.argv[1]
for path in sys.argv[2:]:
    tree = ast.parse(open(path, encoding="utf-8").read())
    examples = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                    and any(getattr(target, "id", None) == "EXAMPLES" for target in node.targets))
    tasks = yaml.safe_load(examples)
    name = os.path.splitext(os.path.basename(path))[0]
    indented = "".join(f"    {line}\n" if line.strip() else "\n" for line in examples.strip("\n").splitlines())
    with open(os.path.join(work, f"examples_{name}.yml"), "w", encoding="utf-8") as playbook:
        playbook.write(f"---\n- name: EXAMPLES of {name}\n  hosts: localhost\n  gather_facts: false\n  tasks:\n{indented}")
    print(f"lint: {path}: {len(tasks)} example tasks")
PY
# --offline: no Galaxy, no schema download; the project directory is the repository (ansible-lint reads its
# galaxy.yml and meta/runtime.yml).
if (cd "$repo_root" && PATH="$lint_venv/bin:$PATH" ansible-lint --offline --profile production --nocolor \
        docs/runbook/ "$work"/examples_*.yml); then
    echo "lint: ansible-lint (production profile) passes on docs/runbook/ and the modules' EXAMPLES"
else
    failed+=(ansible-lint)
fi
# antsibull-docs copies the collection and its dependencies with `git ls-files` when they sit in a git work tree,
# so amazon.aws under the git-ignored .collections would arrive empty: give it a copy from outside the repository.
mkdir -p "$work/collections/ansible_collections/amazon"
cp -a .collections/ansible_collections/amazon/aws "$work/collections/ansible_collections/amazon/aws"
if ANSIBLE_COLLECTIONS_PATH="$work/collections" .venv/bin/antsibull-docs lint-collection-docs --plugin-docs \
        "$repo_root"; then
    echo "lint: antsibull-docs lint-collection-docs passes"
else
    failed+=(antsibull-docs)
fi
if [ "${#failed[@]}" -gt 0 ]; then
    echo "lint: FAILED: ${failed[*]}" >&2
    exit 1
fi
