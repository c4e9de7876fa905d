# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options shared by the modules that read archived objects: which bucket, and how a prefix is read."""

    DOCUMENTATION = r"""
options:
  bucket:
    description:
      - Name of the bucket that holds the objects.
    type: str
    required: true
  expected_bucket_owner:
    description:
      - Account ID that must own the bucket. Sent with every call; S3 answers 403 if another account owns it.
    type: str
  request_payer:
    description:
      - Set to V(true) for a Requester Pays bucket; the caller is then billed for the requests and retrieval.
    type: bool
    default: false
  status_source:
    description:
      - How a O(prefix) run learns whether a C(GLACIER) or C(DEEP_ARCHIVE) object was already restored.
      - V(listing) trusts ListObjectsV2's C(RestoreStatus) (asked for with C(OptionalObjectAttributes)), so no
        HeadObject is needed for those objects, one request per 1,000 keys in all.
      - V(head) sends a HeadObject for each archived object. Right for endpoints that do not report
        C(RestoreStatus) (S3-compatible stores, emulators), where a listing cannot tell "never restored" from
        "not reported", and trusting it would re-send restores to restored objects, resetting their expiry.
      - V(auto) means V(listing) on AWS's own endpoints and V(head) when O(endpoint_url) points elsewhere.
      - Intelligent-Tiering objects always need a HeadObject (listings do not carry their archive tier);
        objects in other classes never do.
    type: str
    choices: [auto, listing, head]
    default: auto
  concurrency:
    description:
      - How many requests to S3 a O(prefix) run keeps in flight. Throttling (503 SlowDown) and transient
        errors are retried with jittered exponential backoff.
      - At the latency of AWS (tens of milliseconds per request), one request in flight gives about 10 to 30
        requests per second; the default is enough for the client's CPU, not the network, to set the pace
        (L(Performance guide,https://github.com/s3async/restore/blob/main/docs/performance.md)).
      - To stay under a share of the account's restore quota, set O(max_requests_per_second) rather than
        lowering this.
    type: int
    default: 128
  max_requests_per_second:
    description:
      - The most C(RestoreObject) requests that M(s3async.restore.s3_object_restore) sends per second, across
        all its threads; leave it out for no cap. Other requests (listings, HeadObject) are not counted.
      - S3 initiates at most 1,000 restores per second per account and Region, shared by every tool, task and
        Batch Operations job of the account; give each run that shares the quota its part of it.
      - A fraction is allowed (V(0.5) is one request every two seconds). Retries of a throttled request are not
        counted; they wait as botocore's retry mode decides.
      - M(s3async.restore.s3_object_restore_info) sends no restore and accepts the option for a shared
        configuration (C(module_defaults)) only.
    type: float
  list_objects:
    description:
      - Which objects RV(objects) lists. RV(summary) and RV(msg) always count every object.
      - V(attention) lists what needs attention, failures first. For M(s3async.restore.s3_object_restore), the
        objects a restore was requested for (or, in check mode, would be); for
        M(s3async.restore.s3_object_restore_info), the objects that cannot be read yet (archived or in
        progress). A O(key) run always lists its object.
      - V(all) lists every object.
      - Each group is sorted by key (then version), so that two runs over the same objects can be compared.
    type: str
    choices: [attention, all]
    default: attention
  max_results:
    description:
      - The most entries returned in RV(objects); V(0) means no limit. Failed objects come first, then those a
        restore was requested for, then the rest.
    type: int
    default: 25
"""
