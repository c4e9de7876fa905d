#!/usr/bin/env bash
# Set up (scripts/setup.sh), then run s3_object_restore for real, twice: the first run requests the restore, the
# second finds it and sends nothing.
#   scripts/try.sh                  against a local moto_server on 127.0.0.1, seeded with a DEEP_ARCHIVE object
#   scripts/try.sh BUCKET KEY [..]  against your AWS account (credentials from the usual AWS environment or
#                                   profile); extra arguments go to `ansible`, e.g. --check
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
bash scripts/setup.sh >/dev/null

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
    run_twice "bucket=$bucket key=$key" "$@"
    exit 0
fi

port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
# The module and the seeding below talk to moto_server only; nothing reaches AWS.
export AWS_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
.venv/bin/python - <<'PY'
import os, time, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_URL"])
for attempt in range(100):
    try:
        s3.create_bucket(Bucket="demo-archive")
        break
    except Exception:  # the server is still starting
        time.sleep(0.1)
s3.put_object(Bucket="demo-archive", Key="backups/2026-11-01.tar", Body=b"archived bytes", StorageClass="DEEP_ARCHIVE")
print("== moto_server at %s: s3://demo-archive/backups/2026-11-01.tar in DEEP_ARCHIVE" % os.environ["AWS_URL"])
PY
run_twice "bucket=demo-archive key=backups/2026-11-01.tar days=3 tier=Bulk" "$@"
