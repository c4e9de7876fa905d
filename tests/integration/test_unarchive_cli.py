# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_object_unarchive run the way users run it (ansible, ansible-playbook, ansible-doc) against a real moto_server.

moto completes a restore at once and leaves RestoreStatus out of listings (facts sheet, "moto 5.2.5 versus AWS"):
status_source=auto reads each archived object's headers on such an endpoint, as it must.
"""

from __future__ import annotations

import json
import textwrap

MODULE = "s3async.restore.s3_object_unarchive"


def seed(s3, bucket):
    """Restored GLACIER and DEEP_ARCHIVE objects with metadata and tags, one never restored, one STANDARD."""
    for key, storage_class in (("db/a.dump", "GLACIER"), ("db/b.dump", "DEEP_ARCHIVE"), ("db/cold.dump", "GLACIER")):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode(), StorageClass=storage_class, Metadata={"team": "db"},
                      ContentType="application/x-dump", Tagging="keep=yes")
        if key != "db/cold.dump":
            s3.restore_object(Bucket=bucket, Key=key, RestoreRequest={"Days": 1})
    s3.put_object(Bucket=bucket, Key="db/live.txt", Body=b"live")


def test_in_place_first_run_changed_second_run_ok(adhoc, aws, bucket):
    s3 = aws("s3")
    seed(s3, bucket)
    status, first = adhoc(MODULE, f"bucket={bucket} prefix=db/")
    assert status == "CHANGED", first
    assert first["summary"]["copied"] == 2
    assert first["summary"]["pending"] == 1
    assert first["msg"].startswith(f"s3://{bucket}/db/*: copied 2 objects (18 bytes) to STANDARD in place; 1 pending")
    for key in ("db/a.dump", "db/b.dump"):
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head.get("StorageClass", "STANDARD") == "STANDARD"
        assert head["Metadata"] == {"team": "db"} and head["ContentType"] == "application/x-dump"
        assert s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"] == [{"Key": "keep", "Value": "yes"}]
    assert s3.head_object(Bucket=bucket, Key="db/cold.dump")["StorageClass"] == "GLACIER"

    status, second = adhoc(MODULE, f"bucket={bucket} prefix=db/")
    assert status == "SUCCESS", second
    assert second["summary"]["copied"] == 0


def test_check_mode_into_another_bucket_writes_nothing(adhoc, aws, bucket):
    s3 = aws("s3")
    seed(s3, bucket)
    s3.create_bucket(Bucket=f"{bucket}-kept")
    status, result = adhoc(MODULE, f"bucket={bucket} prefix=db/ destination_bucket={bucket}-kept storage_class=STANDARD_IA",
                           "--check", "--diff")
    assert status == "CHANGED", result
    assert result["msg"].startswith(f"s3://{bucket}/db/*: would copy 2 objects (18 bytes) to STANDARD_IA at s3://{bucket}-kept/db/*")
    assert "Contents" not in s3.list_objects_v2(Bucket=f"{bucket}-kept")


def test_request_restores_and_wait_in_a_playbook_with_the_action_group(playbook, aws, bucket, tmp_path):
    s3 = aws("s3")
    seed(s3, bucket)
    s3.create_bucket(Bucket=f"{bucket}-kept")
    path = tmp_path / "unarchive.yml"
    path.write_text(textwrap.dedent("""\
        - hosts: localhost
          gather_facts: false
          module_defaults:
            group/s3async.restore.aws:
              region: us-east-1
          tasks:
            - name: Restore what is archived, wait, copy everything readable to the other bucket
              s3async.restore.s3_object_unarchive:
                bucket: "{{ bucket }}"
                prefix: db/
                destination_bucket: "{{ bucket }}-kept"
                destination_prefix: kept/
                request_restores: true
                wait_timeout: 600
                wait_delay: 1
              register: unarchived
            - ansible.builtin.assert:
                that:
                  - unarchived is changed
                  - unarchived.summary.copied == 3
                  - unarchived.summary.restore_requested == 1
                  - unarchived.summary.pending == 0
        """))
    completed = playbook(str(path), bucket=bucket)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=f"{bucket}-kept")["Contents"])
    assert keys == ["kept/a.dump", "kept/b.dump", "kept/cold.dump"]


def test_a_key_list_into_another_prefix_then_a_csv_manifest_finds_them_copied(adhoc, aws, bucket):
    """The selection of s3_object_restore (keys, manifest): keys have no prefix, so destination_prefix goes in front
    of each whole key; the manifest run over the same objects finds each copy there already."""
    s3 = aws("s3")
    seed(s3, bucket)
    status, first = adhoc(MODULE, json.dumps({"bucket": bucket, "keys": ["db/a.dump", {"key": "db/b.dump"}, "db/cold.dump"],
                                              "destination_prefix": "kept/"}))
    assert status == "CHANGED", first
    assert (first["summary"]["copied"], first["summary"]["pending"]) == (2, 1)
    assert first["msg"].startswith(f"s3://{bucket}/ (3 keys): copied 2 objects (18 bytes) to STANDARD at s3://{bucket}/kept/*")
    assert s3.head_object(Bucket=bucket, Key="kept/db/a.dump")["Metadata"]["team"] == "db"
    assert s3.get_object_tagging(Bucket=bucket, Key="kept/db/b.dump")["TagSet"] == [{"Key": "keep", "Value": "yes"}]

    s3.put_object(Bucket=bucket, Key="manifests/m.csv", Body=f"{bucket},db/a.dump\n{bucket},db/b.dump\n".encode())
    status, second = adhoc(MODULE, json.dumps({"bucket": bucket, "manifest": f"s3://{bucket}/manifests/m.csv",
                                               "destination_prefix": "kept/"}))
    assert status == "SUCCESS", second
    assert (second["summary"]["copied"], second["summary"]["already_copied"]) == (0, 2)


def test_version_at_in_place_is_refused_before_any_call(adhoc, bucket):
    status, result = adhoc(MODULE, f"bucket={bucket} prefix=db/ version_at=2026-01-01T00:00:00Z")
    assert status == "FAILED!"
    assert "give destination_bucket or destination_prefix" in result["msg"]


def test_bad_input_fails_before_any_call(adhoc, bucket):
    status, result = adhoc(MODULE, f"bucket={bucket} key=a storage_class=DEEP_ARCHIVE")
    assert status == "FAILED!"
    assert "storage_class" in result["msg"]


def test_ansible_doc_shows_the_module(ansible_doc):
    completed = ansible_doc(MODULE)
    assert completed.returncode == 0, completed.stderr
    assert "destination_prefix" in completed.stdout and "request_restores" in completed.stdout
