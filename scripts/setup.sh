#!/usr/bin/env bash
# Set up a development environment from a fresh clone, idempotently:
#   - .venv with ansible-core, boto3, moto and the test tools (test-requirements.txt)
#   - amazon.aws taken from the `ansible` wheel on PyPI (no Galaxy server is contacted)
#   - .collections/ansible_collections/{amazon/aws, s3async/restore -> repository root}
# After it, `.venv/bin/ansible localhost -m s3async.restore.s3_object_restore -a '...'` works from the
# repository root (ansible.cfg points collections_path at .collections).
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

python_bin=${PYTHON:-python3}
# The `ansible` community package whose wheel carries the amazon.aws collection we build on.
ansible_package_version=12.3.0

if [ ! -x .venv/bin/python ]; then
    "$python_bin" -m venv .venv
fi
stamp=.venv/.s3async-requirements
if [ ! -f "$stamp" ] || ! cmp -s test-requirements.txt "$stamp"; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r test-requirements.txt
    cp test-requirements.txt "$stamp"
fi

collections_dir=.collections/ansible_collections
mkdir -p "$collections_dir/s3async" "$collections_dir/amazon"
if [ ! -f "$collections_dir/amazon/aws/MANIFEST.json" ]; then
    wheel_dir=$(mktemp -d)
    trap 'rm -rf "$wheel_dir"' EXIT
    .venv/bin/python -m pip download --quiet --no-deps --dest "$wheel_dir" "ansible==$ansible_package_version"
    .venv/bin/python - "$wheel_dir" "$collections_dir/amazon" <<'PY'
import glob, os, shutil, sys, zipfile
wheel_dir, dest = sys.argv[1], sys.argv[2]
(wheel,) = glob.glob(os.path.join(wheel_dir, "ansible-*.whl"))
prefix = "ansible_collections/amazon/aws/"
staging = os.path.join(wheel_dir, "extract")
with zipfile.ZipFile(wheel) as archive:
    members = [name for name in archive.namelist() if name.startswith(prefix)]
    archive.extractall(staging, members)
target = os.path.join(dest, "aws")
shutil.rmtree(target, ignore_errors=True)
shutil.move(os.path.join(staging, prefix), target)
PY
fi
# The collection itself is the repository root. A symlink, git-ignored: ansible-test's `symlinks`
# sanity test rejects committed directory symlinks. Made only when missing or wrong: `ln -sfn` removes the link before
# it makes it again, and scripts/test.sh runs tests beside scripts/matrix.sh, which calls this script too.
if [ "$(readlink "$collections_dir/s3async/restore" 2>/dev/null)" != ../../.. ]; then
    ln -sfn ../../.. "$collections_dir/s3async/restore"
fi
echo "setup: .venv and .collections are ready"
