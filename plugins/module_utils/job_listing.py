# -*- coding: utf-8 -*-

# Copyright: Contributors to the s3async.restore project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_restore_job with manifest_source=listing: read the objects on the controller, keep those that still need a
restore, and write one CSV manifest per kind of job, for job_task to create the jobs from.

The rules are job_manifests' (which object goes where, the rows, the keys) and restore_state's (what an object's
state is); which objects are read is object_sources' (a prefix, a key list or a manifest's rows, with versions,
version_at and the filters), and the reads are object_restore's (a listing page per 1,000 keys, a HEAD where the
listing cannot tell, on a bounded pool of threads); the writes are s3_api's. A manifest is written as its rows come, a part at a time,
so memory stays flat whatever the number of objects.
"""

from __future__ import annotations

from typing import Any
from typing import Callable
from typing import Iterator

from ansible.module_utils.common.warnings import warn

from ansible_collections.s3async.restore.plugins.module_utils import batch_job
from ansible_collections.s3async.restore.plugins.module_utils import job_manifests
from ansible_collections.s3async.restore.plugins.module_utils import object_restore
from ansible_collections.s3async.restore.plugins.module_utils import object_sources
from ansible_collections.s3async.restore.plugins.module_utils import restore_state
from ansible_collections.s3async.restore.plugins.module_utils import result_text
from ansible_collections.s3async.restore.plugins.module_utils.aws_names import s3_uri
from ansible_collections.s3async.restore.plugins.module_utils.failures import TaskFailure
from ansible_collections.s3async.restore.plugins.module_utils.interruption import Interruption
from ansible_collections.s3async.restore.plugins.module_utils.object_results import target_of
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import S3Bucket
from ansible_collections.s3async.restore.plugins.module_utils.s3_api import s3_client

MODULE_NAME = "s3_restore_job"
FAILURES_SHOWN = 3


class ManifestUpload:
    """One manifest object written as its rows come: a single PutObject when it fits in one part, else a multipart
    upload of `part_size` parts. Memory holds one part at most. With no bucket (check mode) rows are only counted."""

    def __init__(self, bucket: S3Bucket | None, key: str, part_size: int = job_manifests.PART_SIZE) -> None:
        self.bucket = bucket
        self.key = key
        self.part_size = part_size
        self.rows = 0
        self.bytes = 0
        self.upload_id: str | None = None
        self.part_etags: list[str] = []
        self._buffer: list[bytes] = []
        self._buffered = 0

    def add(self, row: str) -> None:
        data = row.encode("utf-8")
        self.rows += 1
        self.bytes += len(data)
        if self.bucket is None:
            return
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= self.part_size:
            self._send_part()

    def _send_part(self) -> None:
        if len(self.part_etags) >= job_manifests.MAX_PARTS:
            raise TaskFailure(f"The manifest {s3_uri(self.bucket.name, self.key)} would need more than "
                              f"{job_manifests.MAX_PARTS:,} parts: restore the prefix in smaller prefixes.")
        if self.upload_id is None:
            self.upload_id = self.bucket.start_manifest_upload(self.key)
        body = b"".join(self._buffer)
        self._buffer, self._buffered = [], 0
        self.part_etags.append(self.bucket.upload_manifest_part(self.key, self.upload_id, len(self.part_etags) + 1, body))

    def finish(self) -> str | None:
        """Write what is left; returns the manifest's ETag (None: nothing to write, or check mode)."""
        if self.bucket is None or not self.rows:
            return None
        if self.upload_id is None:
            return self.bucket.put_manifest(self.key, b"".join(self._buffer))
        if self._buffer:
            self._send_part()
        return self.bucket.complete_manifest_upload(self.key, self.upload_id, self.part_etags)

    def abort(self) -> None:
        """After a failure: delete the parts sent, so that no half manifest is left (and none is found later)."""
        if self.bucket is not None and self.upload_id is not None:
            self.bucket.abort_manifest_upload(self.key, self.upload_id)
            self.upload_id = None


def selected_objects(module: Any, bucket: S3Bucket, classes: set,
                     interrupted: Callable[[], bool] = lambda: False) -> tuple[Any, Iterator[dict]]:
    """(the selection, each selected object's state): the one place that says which objects a listing run reads.

    object_sources.Selection reads the source (the prefix a page at a time; the keys; the manifest's rows, streamed),
    with versions, version_at and the filters, `classes` being the class filter; object_restore.read_selection
    settles GLACIER / DEEP_ARCHIVE from the listing where its RestoreStatus is trusted (status_source) and HEADs the
    rest: each Intelligent-Tiering object, whose archive tier a listing does not carry (ListObjectsV2 returns
    StorageClass, never ArchiveStatus), and each named object. Stops early once `interrupted()` is true."""
    params = module.params
    trust = restore_state.listing_trusted(params["status_source"], bucket.client.meta.endpoint_url)
    chosen = object_sources.selection_of(bucket, job_manifests.selection_params(params, sorted(classes)),
                                         trust and job_manifests.key_listing_allowed(params), None, interrupted)
    return chosen, object_restore.read_selection(bucket, chosen, params["concurrency"])


def manifest_entry(plan: dict, bucket: str, key: str, action: str, upload: ManifestUpload | None = None,
                   etag: str | None = None) -> dict:
    """One entry of RV(listing.manifests)."""
    return {"kind": plan["kind"], "storage_classes": list(plan["storage_classes"]), "action": action,
            "location": s3_uri(bucket, key), "objects": upload.rows if upload else None,
            "bytes": upload.bytes if upload else None, "etag": batch_job.normalize_etag(etag)}


class ListingRun:
    """The manifests of one run: found (an earlier run wrote them), or listed and written (would be, in check mode).
    prepare() sets each plan's ``manifest``; a plan left without one has nothing to restore, and gets no job (and an
    empty marker, so that a re-run does not list for it again).
    A signal (interruption.py) stops the reading; the run then ends with nothing written and no job created."""

    def __init__(self, module: Any, interruption: Interruption | None = None) -> None:
        self.module = module
        params = module.params
        client = s3_client(module, MODULE_NAME, params["concurrency"])
        self.source = S3Bucket(client, params["bucket"])
        self.target = S3Bucket(client, job_manifests.manifest_bucket_of(params))
        self.interruption = interruption or Interruption()
        self.with_versions = job_manifests.with_versions(params)
        self.manifests: list[dict] = []
        self.listed: int | None = None
        self.summary: dict | None = None
        self.failures: list[str] = []

    def written(self, key: str, etag: str | None) -> dict:
        return job_manifests.written_manifest(self.target.name, key, etag, self.with_versions)

    def prepare(self, creating: list[tuple[dict, int]]) -> None:
        """For each (plan, attempt) without a job: the manifest found at its key, or a listing that writes it."""
        to_list = []
        for plan, attempt in creating:
            key = job_manifests.manifest_key(self.module.params, plan, attempt)
            etag = self.target.existing_manifest_etag(key)
            if etag is not None:
                plan["manifest"] = self.written(key, etag)
                self.manifests.append(manifest_entry(plan, self.target.name, key, "found", etag=etag))
            elif not self.found_empty(plan, key):
                to_list.append((plan, key))
        if to_list:
            self.list_and_write(to_list)

    def found_empty(self, plan: dict, key: str) -> bool:
        """Whether an earlier run of this scope and identity found nothing to restore for the plan's kind (its
        empty marker exists, job_manifests.empty_marker_key): the plan then keeps no manifest, so gets no job."""
        marker = job_manifests.empty_marker_key(key)
        if self.target.existing_manifest_etag(marker) is None:
            return False
        self.manifests.append(manifest_entry(plan, self.target.name, marker, "found_empty", ManifestUpload(None, marker)))
        return True

    def list_and_write(self, to_list: list[tuple[dict, str]]) -> None:
        check_mode = self.module.check_mode
        uploads = {plan["kind"]: ManifestUpload(None if check_mode else self.target, key) for plan, key in to_list}
        classes = {cls for plan, _key in to_list for cls in plan["storage_classes"]}
        chosen, objects = selected_objects(self.module, self.source, classes, self.interruption.stopping)
        try:
            self.summary = self.sort_into(objects, uploads)
            self.listed = chosen.listed
            self.summary.update(chosen.counts())
            self.raise_on_failures()
            self.raise_on_interruption()
            etags = {kind: upload.finish() for kind, upload in uploads.items()}
        except BaseException:
            for upload in uploads.values():
                upload.abort()
            raise
        for plan, key in to_list:
            self.settle(plan, key, uploads[plan["kind"]], etags[plan["kind"]])
        self.warn_about_selection(chosen)

    def sort_into(self, objects: Iterator[dict], uploads: dict) -> dict:
        """Count every object read, and add a row to its kind's manifest for each one that needs a restore."""
        summary = restore_state.new_summary()
        for obj in objects:
            restore_state.count(summary, obj)
            if obj.get("error"):
                if len(self.failures) < FAILURES_SHOWN:
                    self.failures.append(obj["error"])
                continue
            upload = uploads.get(job_manifests.kind_of(obj["storage_class"]))
            if upload is not None and job_manifests.needs_restore(obj):
                version = job_manifests.row_version(obj) if self.with_versions else None
                upload.add(job_manifests.manifest_row(self.source.name, obj["key"], version))
        return restore_state.report_summary(summary)

    def target_text(self) -> str:
        return target_of(job_manifests.selection_params(self.module.params))

    def raise_on_failures(self) -> None:
        """An object that could not be read is neither left out of a job silently nor put in it blindly: the run
        fails before any manifest is completed, saying which ones; a re-run reads them again."""
        if self.summary["failed"]:
            raise TaskFailure(
                f"{self.summary['failed']:,} of {self.summary['total']:,} objects "
                f"{job_manifests.where_listed(self.module.params)} could not be read, so no manifest was written and "
                f"no job created: {'; '.join(self.failures)}",
                changed=False, listing=self.result(),
            )

    def raise_on_interruption(self) -> None:
        """A signal arrived while reading: the manifests would be partial, so none is completed (the parts sent
        are deleted by the caller) and no job is created; the next run reads everything again."""
        if not self.interruption.stopping():
            return
        raise TaskFailure(
            f"Interrupted by {self.interruption.requested} while reading {self.target_text()}: stopped after "
            f"{self.listed:,} objects read, so no manifest was written and no job created. Run the task again to "
            "start over: nothing was sent.",
            changed=False, interrupted=self.interruption.requested, listing=self.result(),
        )

    def warn_about_selection(self, chosen: Any) -> None:
        """What the object modules warn about too: patterns that matched nothing, keys missing at version_at, a
        prefix that matched nothing, a selection that left nothing."""
        for warning in chosen.warnings():
            warn(warning)
        params = self.module.params
        if self.listed == 0 and params.get("prefix") is not None:
            warn(result_text.matched_nothing_warning(params["prefix"]))
        elif self.listed and self.summary["total"] == 0:
            warn(result_text.nothing_selected_warning(self.target_text(), self.summary))

    def settle(self, plan: dict, key: str, upload: ManifestUpload, etag: str | None) -> None:
        if not upload.rows:
            # CreateJob takes no manifest without rows; the empty marker spares the next runs this listing.
            marker = job_manifests.empty_marker_key(key)
            if not self.module.check_mode:
                self.target.put_manifest(marker, b"")
            self.manifests.append(manifest_entry(plan, self.target.name, marker, "none", upload))
            return
        action = "would_write" if self.module.check_mode else "written"
        plan["manifest"] = self.written(key, etag)
        self.manifests.append(manifest_entry(plan, self.target.name, key, action, upload, etag))

    def result(self) -> dict:
        """RV(listing)."""
        return {"prefix": self.module.params.get("prefix"), "target": self.target_text(), "listed": self.listed,
                "summary": self.summary, "manifests": sorted(self.manifests, key=lambda entry: entry["kind"])}
