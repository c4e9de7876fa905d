#!/usr/bin/env bash
# Build the collection's HTML documentation site into build/docs-site/html, offline:
#   - antsibull-docs sphinx-init + collection: the Sphinx project and one page per module (the same generator as
#     the docs on docs.ansible.com);
#   - the guides of docs/*.md, rendered by myst-parser, linked from the start page;
#   - sphinx-build -W: any warning (a broken reference, a bad table) fails the build.
# antsibull-docs' conf.py maps intersphinx to docs.ansible.com and docs.python.org; that mapping is emptied, since
# the build must not need the network: references to ansible-core's docs then render as plain text.
# The tools get a virtualenv of their own (build/tools/docs). Needs scripts/setup.sh to have run.
# Then open build/docs-site/html/index.html; tests/integration/test_docs_site.py checks it in a headless chromium.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
docs_venv="$repo_root/build/tools/docs"
requirements="antsibull-docs==2.28.0 ansible-core==2.19.14 sphinx==9.0.4 sphinx-ansible-theme==0.10.4 myst-parser==5.2.0"
if [ ! -f .collections/ansible_collections/amazon/aws/MANIFEST.json ]; then
    echo "docs-site: run scripts/setup.sh first" >&2
    exit 1
fi
if [ "$(cat "$docs_venv/.s3async-requirements" 2>/dev/null)" != "$requirements" ]; then
    rm -rf "$docs_venv"
    .venv/bin/python -m venv "$docs_venv"
    # shellcheck disable=SC2086 # one word per requirement
    "$docs_venv/bin/python" -m pip install --quiet $requirements >"$docs_venv.log" 2>&1 \
        || { cat "$docs_venv.log" >&2; exit 1; }
    echo "$requirements" > "$docs_venv/.s3async-requirements"
fi
export PATH="$docs_venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$repo_root/.collections"

site=build/docs-site
rm -rf "$site"
# antsibull-docs wants its destination readable by its owner only
mkdir -p "$site"
chmod 700 "$site"
mkdir -m 700 "$site/project"
antsibull-docs sphinx-init --use-current --dest-dir "$site/project" s3async.restore >/dev/null
project="$site/project"
mkdir -p "$project/rst"
chmod 700 "$project/rst"
antsibull-docs --config-file "$project/antsibull-docs.cfg" collection --cleanup everything --use-current \
    --dest-dir "$project/rst" s3async.restore >/dev/null

# The guides: docs/*.md as they are, and a page that lists them, linked from the start page.
guides="$project/rst/guides"
mkdir -p "$guides"
cp docs/*.md "$guides/"
# The pictures the guides show (docs/images/throughput.png in performance.md).
if [ -d docs/images ]; then cp -r docs/images "$guides/"; fi
{
    echo "Guides"
    echo "======"
    echo
    echo ".. toctree::"
    echo "   :maxdepth: 1"
    echo
    for guide in docs/*.md; do echo "   $(basename "$guide" .md)"; done
} > "$guides/index.rst"
printf '\n.. toctree::\n   :caption: Guides\n   :maxdepth: 1\n\n   guides/index\n' >> "$project/rst/index.rst"
cat >> "$project/conf.py" <<'PY'

# Added by scripts/docs_site.sh: the guides are Markdown, and the build is offline.
extensions.append('myst_parser')
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
intersphinx_mapping = {}
# The guides link to files of the repository (README, docs/modules, the runbook) that are not pages of the site.
myst_heading_anchors = 3
suppress_warnings = ['myst.xref_missing']
PY
# The module pages refer to pages of docs.ansible.com by label (reached through intersphinx when online): give
# those labels a page of their own here that links to them, so that a reference of ours that is broken still fails.
cat > "$project/rst/elsewhere.rst" <<'RST'
:orphan:

Documentation elsewhere
=======================

These pages are part of the Ansible documentation on docs.ansible.com.

.. _ansible_configuration_settings:

Ansible configuration settings
------------------------------

https://docs.ansible.com/ansible/latest/reference_appendices/config.html

.. _common_return_values:

Return values common to all modules
-----------------------------------

https://docs.ansible.com/ansible/latest/reference_appendices/common_return_values.html

.. _ansible_collections.amazon.aws.s3_object_module:

amazon.aws.s3_object
--------------------

https://docs.ansible.com/ansible/latest/collections/amazon/aws/s3_object_module.html
RST
sphinx-build -q -W --keep-going -b html -c "$project" "$project/rst" "$site/html"
echo "docs-site: built $(find "$site/html" -name '*.html' | wc -l) pages into $site/html (open $site/html/index.html)"
# tests/integration/test_docs_site.py opens the site in Debian's headless chromium: install it when missing.
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "docs-site: installing chromium (for tests/integration/test_docs_site.py)"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "docs-site: chromium is missing; install it (apt-get install chromium) to run tests/integration/test_docs_site.py" >&2
        exit 1
    fi
fi
