#!/usr/bin/env bash
# Set up (scripts/setup.sh), then run s3_object_restore for real, twice: the first run requests the restore, the
# second finds it and sends nothing.
#   scripts/try.sh                  against a local moto_server on 127.0.0.1, seeded with a DEEP_ARCHIVE object
#   scripts/try.sh BUCKET KEY [..]  against your AWS account (credentials from the usual AWS environment or
#                                   profile); extra arguments go to `ansible`, e.g. --check
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

# Say what each step does: the first one alone can take a minute or two.
step() { echo "== try: $*"; }
if [ -f .venv/.s3async-requirements ] && cmp -s test-requirements.txt .venv/.s3async-requirements; then
    step "checking .venv and .collections (set up already)"
else
    step "setting up .venv (ansible-core, boto3, moto and the test tools from PyPI) and .collections (amazon.aws);" \
        "the first time this takes a minute or two"
fi
bash scripts/setup.sh

run_twice() {
    local args=$1; shift
    for attempt in first second; do
        echo "== $attempt run: ansible localhost -m s3async.restore.s3_object_restore -a '$args' $*"
        .venv/bin/ansible localhost -m s3async.restore.s3_object_restore -a "$args" "$@"
    done
}

if [ $# -ge 2 ]; then
    bucket=$1 key=$2; shift 2
    if ! .venv/bin/python -c 'import boto3, sys; sys.exit(boto3.Session().get_credentials() is None)'; then
        echo "try: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)" >&2
        exit 2
    fi
    step "running s3_object_restore twice against s3://$bucket/$key in your AWS account: the first run requests" \
        "the restore if the object is archived, the second finds it and sends nothing"
    run_twice "bucket=$bucket key=$key" "$@"
    exit 0
fi

port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "starting moto_server (a local S3 emulator) on 127.0.0.1:$port; nothing reaches AWS"
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
# The module and the seeding below talk to moto_server only; nothing reaches AWS.
export AWS_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
step "seeding it, once it answers: bucket demo-archive with one DEEP_ARCHIVE object"
.venv/bin/python - <<'PY'
import os, sys, time, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_URL"])
for attempt in range(300):
    try:
        s3.create_bucket(Bucket="demo-archive")
        break
    except Exception:  # the server is still starting
        time.sleep(0.1)
else:
    sys.exit(f"try: moto_server did not answer at {os.environ['AWS_URL']}")
s3.put_object(Bucket="demo-archive", Key="backups/2026-11-01.tar", Body=b"archived bytes", StorageClass="DEEP_ARCHIVE")
print(f"== moto_server at {os.environ['AWS_URL']}: s3://demo-archive/backups/2026-11-01.tar in DEEP_ARCHIVE")
PY
step "running s3_object_restore twice: the first run requests the restore (CHANGED), the second finds it" \
    "and sends nothing (SUCCESS)"
run_twice "bucket=demo-archive key=backups/2026-11-01.tar days=3 tier=Bulk" "$@"
