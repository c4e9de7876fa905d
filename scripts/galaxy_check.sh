#!/usr/bin/env bash
# What Galaxy checks when the collection is imported, offline:
#   - builds the tarball (ansible-galaxy collection build, galaxy.yml's build_ignore applied);
#   - runs galaxy-importer on it (galaxy.yml / MANIFEST.json, ansible-doc on every module, ansible-lint, the
#     changelog, the execution environment file); any ERROR or WARNING it logs is a failure;
#   - ansible-builder create: writes the build context of an execution environment from
#     meta/execution-environment.yml (building the image itself needs docker or podman).
# galaxy-importer and ansible-builder get a virtualenv of their own (build/tools/galaxy): they pin ansible-core and
# ansible-lint versions that must not change the development .venv. Needs scripts/setup.sh to have run.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
# ansible-core and ansible-lint pinned too (galaxy-importer would take the newest), so that a run is repeatable.
requirements="galaxy-importer==0.4.44 ansible-builder==3.2.0 ansible-core==2.19.14 ansible-lint==26.10.1"
tools_venv="$repo_root/build/tools/galaxy"
if [ ! -x .venv/bin/ansible-galaxy ]; then
    echo "galaxy: run scripts/setup.sh first" >&2
    exit 1
fi
if [ "$(cat "$tools_venv/.s3async-requirements" 2>/dev/null)" != "$requirements" ]; then
    rm -rf "$tools_venv"
    .venv/bin/python -m venv "$tools_venv"
    # shellcheck disable=SC2086 # one word per requirement
    "$tools_venv/bin/python" -m pip install --quiet $requirements >"$tools_venv.log" 2>&1 \
        || { cat "$tools_venv.log" >&2; exit 1; }
    echo "$requirements" > "$tools_venv/.s3async-requirements"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/ansible-galaxy collection build --output-path "$work/dist" . >/dev/null
tarball=$(echo "$work"/dist/s3async-restore-*.tar.gz)
echo "galaxy: built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) kB, $(tar -tzf "$tarball" | wc -l) entries)"

# Galaxy's defaults, and nothing that needs the network or a container runtime: ansible-lint offline, and no
# ansible-test (galaxy-importer runs it only in a container image; scripts/sanity.sh and scripts/matrix.sh run the
# same sanity tests locally). flake8 stays off as on Galaxy: its default W503 contradicts ansible-test's pep8
# settings, which the sanity tests apply.
cat > "$work/galaxy-importer.cfg" <<CFG
[galaxy-importer]
LOG_LEVEL_MAIN = INFO
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_ANSIBLE_TEST = False
RUN_FLAKE8 = False
CHECK_CHANGELOG = True
CHECK_REQUIRED_TAGS = True
ANSIBLE_LOCAL_TMP = $work/ansible-tmp
TMP_ROOT_DIR = $work
CFG
# galaxy-importer runs ansible-doc and ansible-lint from PATH (its own virtualenv's) with ANSIBLE_COLLECTIONS_PATH
# set to the unpacked tarball alone. Our modules' docs extend amazon.aws's doc fragments and the runbook uses its
# modules, so amazon.aws must be found too: ansible-core also looks in ansible_collections/ on sys.path (as the
# `ansible` package ships it), so it goes into the virtualenv's site-packages.
site_packages=$("$tools_venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if ! cmp -s .collections/ansible_collections/amazon/aws/MANIFEST.json "$site_packages/ansible_collections/amazon/aws/MANIFEST.json"; then
    rm -rf "$site_packages/ansible_collections/amazon/aws"
    mkdir -p "$site_packages/ansible_collections/amazon"
    cp -a .collections/ansible_collections/amazon/aws "$site_packages/ansible_collections/amazon/aws"
fi
log="$work/importer.log"
status=0
(cd "$work" && GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg" PATH="$tools_venv/bin:$PATH" \
    "$tools_venv/bin/python" -m galaxy_importer.main "$tarball") >"$log" 2>&1 || status=$?
findings=$(grep -E '^(ERROR|WARNING)' "$log" | grep -v 'Location .* is ignored' || true)
if [ "$status" -ne 0 ] || [ -n "$findings" ]; then
    cat "$log" >&2
    echo "galaxy: galaxy-importer FAILED (exit $status)${findings:+; findings above}" >&2
    exit 1
fi
echo "galaxy: galaxy-importer passes on the tarball ($(grep -c 'Loading' "$log" || true) items loaded)"

ansible_builder="$tools_venv/bin/ansible-builder"
# ansible-builder reads meta/execution-environment.yml from each collection an EE installs: install the tarball
# (and amazon.aws beside it, as ansible-galaxy would) and ask it what the collection needs.
mkdir -p "$work/collections/ansible_collections/amazon"
cp -a .collections/ansible_collections/amazon/aws "$work/collections/ansible_collections/amazon/aws"
# from $work, where no ansible.cfg says the collection is already installed (the repository's points at .collections)
(cd "$work" && "$repo_root/.venv/bin/ansible-galaxy" collection install --no-deps -p "$work/collections" "$tarball") >/dev/null 2>&1
"$ansible_builder" introspect "$work/collections" >"$work/introspect.log" 2>&1 || true
if ! grep -Eq "^- 'boto3.*# from collection s3async\.restore'" "$work/introspect.log"; then
    cat "$work/introspect.log" >&2
    echo "galaxy: ansible-builder introspect does not find boto3 among s3async.restore's requirements" >&2
    exit 1
fi
# An EE definition as a user writes one, with the built tarball as its collection: `ansible-builder create` writes
# the build context (Containerfile, requirements) without a container runtime.
cp "$tarball" "$work/ee.tar.gz"
cat > "$work/execution-environment.yml" <<EE
---
version: 3
images:
  base_image:
    name: quay.io/fedora/fedora:latest
dependencies:
  ansible_core:
    package_pip: ansible-core>=2.17.0
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: ee.tar.gz
        type: file
EE
if ! (cd "$work" && "$ansible_builder" create --file execution-environment.yml --context ee-context) >"$work/builder.log" 2>&1; then
    cat "$work/builder.log" >&2
    echo "galaxy: ansible-builder create FAILED" >&2
    exit 1
fi
echo "galaxy: ansible-builder finds the collection's Python requirements ($(grep -c 's3async.restore' "$work/introspect.log") lines) and writes an EE build context"
