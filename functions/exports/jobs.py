"""Export jobs: who may export what, running the job, the signed manifest, and reading it back.

A district admin exports its own tenant; an auditor only tenants in its `audit_tenants` (else 403
and no job). A job spanning tenants keeps one record and one folder per tenant, each
self-contained: its files, a data dictionary (README.md), `manifest.json` (every file's name,
rows, bytes and SHA-256, and the tenant's audit-chain head at export time) and
`manifest.json.sig` (HMAC-SHA256 of the manifest with the stage's export key), checkable with
`make verify-export DIR=<folder>`.

Beyond `export_native_threshold_rows` (a tenant setting) a job is not run row by row: it is
marked `needs_native_export`, the switch to DynamoDB's export to S3 described in the README.

Keys: `<tenant>#export` / id (the same id in every tenant of a job). Files under
`tenants/<tenant>/exports/<id>/`, tagged for the bucket's expiry rules.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta, UTC
from functools import lru_cache, partial
from collections.abc import Callable, Iterator
from typing import Any

from functions import config, storage, store
from functions.audit import chain, chainer
from functions.audit.log import record_read
from functions.errors import FieldError, Forbidden, JobFailed, Text, Unprocessable
from functions.idempotency import Claim
from functions.exports import datasets, writer
from functions.ids import new_id
from functions.log import logger
from functions.jobs import records
from functions.models import ExportsTable, JobsTable
from functions.platform.tenants import standing
from functions.tenancy import AUDITOR, DISTRICT_ADMIN, Principal, TenantContext

KIND = "export"
FILE_KIND = "export-file"  # an export's minutes files, one item each
KEY_FILE = "export-signing.key"
RETENTION_DAYS = (1, 3, 7, 14, 30)
DEFAULT_NATIVE_THRESHOLD = 5_000_000


@lru_cache(maxsize=1)
def signing_key() -> bytes:
    """The stage's export signing key; locally a key file made on first use (git-ignored)."""
    return config.secret(config.EXPORT_SIGNING_KEY, KEY_FILE)


def sign(manifest_bytes: bytes, key: bytes | None = None) -> str:
    return hmac.new(key or signing_key(), manifest_bytes, hashlib.sha256).hexdigest()


def _contexts(p: Principal, tenants: list[str]) -> list[TenantContext]:
    """The tenants this principal may export, or 403 naming the first it may not."""
    allowed = set(p.audit_tenants) if p.has(AUDITOR) else set()
    if p.has(DISTRICT_ADMIN) and p.tenant:
        allowed.add(p.tenant)
    for i, tenant in enumerate(tenants):
        if tenant not in allowed:
            raise Forbidden(Text(f"无权导出 {tenant} 的数据", f"Not allowed to export {tenant}"),
                            errors=[FieldError(f"/tenants/{i}", Text("未授权的区", "Tenant not granted"))])
    contexts = []
    for i, tenant in enumerate(tenants):
        profile, now = standing(tenant, p)  # a disabled or demoted user exports nothing
        if not (now.has(DISTRICT_ADMIN) and now.tenant == tenant or tenant in now.audit_tenants and now.has(AUDITOR)):
            raise Forbidden(Text(f"无权导出 {tenant} 的数据", f"Not allowed to export {tenant}"),
                            errors=[FieldError(f"/tenants/{i}", Text("未授权的区", "Tenant not granted"))])
        contexts.append(TenantContext(tenant=tenant, principal=now, timezone=profile.get("timezone", "Asia/Shanghai"),
                                      settings=profile.get("settings", {})))
    return contexts


def create_export(p: Principal, body: dict[str, Any], claim: Claim | None = None) -> dict[str, Any]:
    """Record the export in each tenant and hand it to the job worker (`job_url`; the answer is 202).
    A repeat with the same `Idempotency-Key` answers what the first did and starts nothing."""
    records.replayed(p, claim)
    contexts = _contexts(p, body["tenants"])
    unknown = [FieldError(f"/datasets/{i}", Text("未知的数据集", "Unknown dataset"))
               for i, d in enumerate(body["datasets"]) if d not in datasets.DATASETS]
    if unknown:
        raise Unprocessable(errors=unknown)
    job_id = new_id()
    data = {"requester": p.sub, "tenants": body["tenants"], "datasets": body["datasets"], "format": body["format"],
            "lang": body.get("lang", "en"), "from": body.get("from"), "to": body.get("to"), "status": "pending", "files": []}
    for ctx in contexts:
        store.create(ctx, ExportsTable, KIND, {**data, "tenant": ctx.tenant}, item_id=job_id)
    title = f"导出 {'、'.join(body['tenants'])}：{'、'.join(body['datasets'])} / export"
    try:
        return records.start(p, "export", title, {"export_id": job_id}, job_id=job_id,
                             result_link=f"/v1/exports/{job_id}", claim=claim,
                             answer=lambda job: {**get_export(p, job_id, log_read=False), "job_url": job["links"]["self"]})
    except Exception:  # a racing copy made the job (a replay), or none was made: these stay unused
        _close(p, job_id, "cancelled")
        raise


def run_job(job: JobsTable, p: Principal) -> dict[str, Any]:
    """The job worker's part: every tenant's files in turn, progress in rows across them all. The
    requester's grants are checked again (a user demoted since the request exports nothing)."""
    export_id = job.fields()["params"]["export_id"]
    done = 0
    try:
        contexts = _contexts(p, [item.data["tenant"] for item in _parts(p, export_id)])
        names = ExportsTable.get(contexts[0].key(KIND), export_id).fields()["datasets"]
        total = sum(_estimate(ctx, names) for ctx in contexts)
        records.progress(job, 0, total, "rows")
        for ctx in contexts:
            part = run_export(ctx, export_id, partial(_report, job, done, total))
            done += sum(f["rows"] or 0 for f in part.get("files", []))
        answer = get_export(p, export_id, log_read=False)
        if answer["status"] == "failed":  # the failed part's files are gone; the others' go too
            reasons = "; ".join(f"{tenant}: {detail}" for tenant, detail in answer.get("details", {}).items())
            raise JobFailed(Text(f"导出失败（{reasons}）", f"The export failed ({reasons})"))
        records.mark_irreversible(job)  # the last chance to cancel: from here on it is done
    except records.Cancelled:
        _close(p, export_id, "cancelled")  # the tenants already written too: no files stay
        raise
    except Exception:
        _close(p, export_id, "failed")  # a retried job writes every part again
        raise
    records.progress(job, done, done, "rows")  # the estimate counted whole partitions; this is what was written
    return {"export_id": export_id, "status": answer["status"], "rows": done}


def _estimate(ctx: TenantContext, names: list[str]) -> int:
    total = 0
    for name in names:
        model, kind, _ = datasets.DATASETS[name]
        key = chain.partition(ctx.tenant) if name == "audit_log" else ctx.key(kind)
        total += model.count(key)
    return total


PROGRESS_EVERY = 2000  # rows between progress reports (each a heartbeat and a chance to cancel)


def run_export(ctx: TenantContext, job_id: str, on_rows: Callable[[int], None] = lambda rows: None) -> dict[str, Any]:
    """Write one tenant's part of a job: files, dictionary, manifest and signature. `on_rows` hears
    how many rows are written so far; if it raises `records.Cancelled`, the files go and the part
    is marked cancelled."""
    item = ExportsTable.get(ctx.key(KIND), job_id)
    job = item.fields()
    threshold = int(ctx.settings.get("export_native_threshold_rows", DEFAULT_NATIVE_THRESHOLD))
    if _estimate(ctx, job["datasets"]) > threshold:
        return _finish(ctx, item, {**job, "status": "needs_native_export",
                                   "detail": "over the row-by-row limit: use DynamoDB export to S3 (see README)"})
    retention = int(ctx.settings.get("export_retention_days", 7))
    tags = f"expires-after-days={retention}"
    base = storage.tenant_key(ctx.tenant, "exports", job_id)
    chainer.link(ctx.tenant)  # the export's audit log and head hold every write made before it
    head = chain.read_head(ctx.tenant)
    files = []
    attempted: list[str] = []  # every key this run began to write, deleted again if the run fails
    current = "README.md"
    written_before = 0
    try:
        for name in job["datasets"]:
            cols = datasets.columns(name)
            header = [zh if job["lang"] == "zh-CN" else field for field, zh, _ in cols]
            current = f"{name}.{job['format']}"
            key = f"{base}/{current}"
            attempted.append(key)
            rows = counted(datasets.rows(ctx, name, job.get("from"), job.get("to")), written_before, on_rows)
            written = writer.write_rows(key, job["format"], header, [c[0] for c in cols], rows, tags)
            written_before += written["rows"]
            files.append({"name": current, "key": key, **written})
        minutes_files: list[dict[str, Any]] = []
        if "minutes_revisions" in job["datasets"]:
            # Listed in items of their own: a district's minutes files outgrow one record's 400 KB.
            with ExportsTable.batch_write() as listing:
                for revision in datasets.rows(ctx, "minutes_revisions", job.get("from"), job.get("to")):
                    current = minutes_file_name(revision)
                    attempted.append(f"{base}/{current}")
                    entry = _copy_minutes(revision, f"{base}/{current}", current)
                    minutes_files.append({k: entry[k] for k in ("name", "rows", "bytes", "sha256")})
                    listing.save(ExportsTable(ctx.key(FILE_KIND), f"{job_id}#{current}", kind=FILE_KIND, data=entry))
        current = "README.md"
        attempted += [f"{base}/README.md", f"{base}/manifest.json", f"{base}/manifest.json.sig"]
        readme = datasets.dictionary_markdown(job["datasets"]).encode()
        storage.put(f"{base}/README.md", readme, "text/markdown; charset=utf-8")
        files.append({"name": "README.md", "key": f"{base}/README.md", "rows": None, "bytes": len(readme),
                      "sha256": hashlib.sha256(readme).hexdigest()})
        manifest = {"export_id": job_id, "tenant": ctx.tenant, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "format": job["format"], "from": job.get("from"), "to": job.get("to"),
                    "audit_chain_head": {"seq": head.seq, "hash": head.hash},
                    "files": [{k: f[k] for k in ("name", "rows", "bytes", "sha256")} for f in files] + minutes_files}
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        current = "manifest.json"
        storage.put(f"{base}/manifest.json", manifest_bytes, "application/json; charset=utf-8")
        storage.put(f"{base}/manifest.json.sig", sign(manifest_bytes).encode(), "text/plain")
    except records.Cancelled:
        _discard(base, attempted)
        _drop_listing(ctx, job_id)
        _finish(ctx, item, {**job, "status": "cancelled", "files": []})
        raise
    except Exception as exc:
        # A half-written export must not be left to download: remove what this run wrote, then say why.
        leftover = _discard(base, attempted)
        _drop_listing(ctx, job_id)
        logger.exception("export failed", extra={"tenant": ctx.tenant, "export_id": job_id, "file": current,
                                                 "error": type(exc).__name__, "leftover": leftover})
        failed = {**job, "status": "failed", "files": [], "detail": f"writing {current} failed: {type(exc).__name__}"}
        if leftover:
            failed["leftover"] = leftover  # for the operator to remove
        return _finish(ctx, item, failed)
    expires = (datetime.now(UTC) + timedelta(days=retention)).isoformat(timespec="seconds")
    return _finish(ctx, item, {**job, "status": "done", "files": files, "minutes_files": len(minutes_files),
                               "manifest_key": f"{base}/manifest.json",
                               "audit_chain_head": manifest["audit_chain_head"], "expires_at": expires})


EXTENSIONS = {"text/markdown": ".md", "text/plain": ".txt", "application/pdf": ".pdf",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


def minutes_file_name(revision: dict[str, Any]) -> str:
    """`minutes-<meeting>-r001.md`: flat, so the folder an auditor downloads has no subfolders."""
    extension = EXTENSIONS.get(revision["content_type"].split(";")[0].strip(), ".bin")
    return f"minutes-{revision['meeting_id']}-r{int(revision['revision']):03d}{extension}"


def _copy_minutes(revision: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    """The revision's own bytes (exactly the version its record pins, re-hashed: a mismatch fails the
    export rather than ship something else) into the export, listed in the manifest like any file."""
    body = storage.read(revision["key"], revision.get("version_id"), revision["sha256"])
    storage.put(key, body, revision["content_type"])
    return {"name": name, "key": key, "rows": None, "bytes": len(body), "sha256": revision["sha256"]}


def _discard(base: str, keys: list[str]) -> list[str]:
    """Best-effort removal of a failed run's files: abort its unfinished multipart uploads under
    `base/` and delete each key it began to write. Returns what could not be removed (the cleanup's
    own failures are logged, never raised over the run's original error)."""
    from botocore.exceptions import BotoCoreError, ClientError

    s3 = storage.client()
    leftover: list[str] = []
    try:
        uploads = s3.list_multipart_uploads(Bucket=config.BUCKET, Prefix=f"{base}/").get("Uploads", [])
    except (BotoCoreError, ClientError):
        logger.warning("export cleanup: cannot list unfinished uploads", extra={"prefix": base})
        uploads = []
    for upload in uploads:
        try:
            s3.abort_multipart_upload(Bucket=config.BUCKET, Key=upload["Key"], UploadId=upload["UploadId"])
        except (BotoCoreError, ClientError):
            leftover.append(upload["Key"])
    for key in keys:
        try:
            storage.delete(key)
        except (BotoCoreError, ClientError):
            leftover.append(key)
    if leftover:
        logger.warning("export cleanup left objects behind", extra={"prefix": base, "keys": leftover})
    return sorted(set(leftover))


def close_parts(job: JobsTable, p: Principal) -> None:
    """Every tenant's part of a cancelled export: its files (written or not) removed, marked cancelled."""
    _close(p, job.fields()["params"]["export_id"], "cancelled")


def _close(p: Principal, export_id: str, status: str) -> None:
    """Every tenant's part of an export that will not be done: files removed, marked `status`."""
    for item in _parts(p, export_id):
        part = item.fields()
        if part["status"] in ("cancelled", status):
            continue
        ctx = TenantContext(tenant=part["tenant"], principal=p)
        base = storage.tenant_key(ctx.tenant, "exports", export_id)
        keys = [f["key"] for f in part.get("files", []) + _listed(ctx.tenant, export_id)]
        _discard(base, keys + [f"{base}/manifest.json", f"{base}/manifest.json.sig"])
        _drop_listing(ctx, export_id)
        _finish(ctx, item, {**part, "status": status, "files": [], "minutes_files": 0})


def _listed(tenant: str, job_id: str) -> list[dict[str, Any]]:
    """The files of an export listed in items of their own (the minutes files)."""
    return [item.fields() for item in ExportsTable.query(f"{tenant}#{FILE_KIND}", ExportsTable.sk.startswith(f"{job_id}#"))]


def _drop_listing(ctx: TenantContext, job_id: str) -> None:
    with ExportsTable.batch_write() as batch:
        for item in ExportsTable.query(ctx.key(FILE_KIND), ExportsTable.sk.startswith(f"{job_id}#")):
            batch.delete(item)


def _report(job: JobsTable, before: int, total: int, rows: int) -> None:
    records.progress(job, before + rows, total, "rows")


def counted(rows: Iterator[dict[str, Any]], before: int, on_rows: Callable[[int], None]) -> Iterator[dict[str, Any]]:
    """`rows` unchanged, telling `on_rows` the running count every `PROGRESS_EVERY` rows."""
    for n, row in enumerate(rows, 1):
        if n % PROGRESS_EVERY == 0:
            on_rows(before + n)
        yield row


def _finish(ctx: TenantContext, item: ExportsTable, data: dict[str, Any]) -> dict[str, Any]:
    return store.update(ctx, item, data, item.version)


def _overall(statuses: list[str]) -> str:
    """A job's status across its tenants: done only when every part is."""
    return "done" if all(s == "done" for s in statuses) else next(
        s for s in ("failed", "cancelled", "needs_native_export", "running", "pending") if s in statuses)


def list_exports(p: Principal, limit: int = 50) -> dict[str, Any]:
    """The caller's own exports, newest first (the latest `limit`): one Query per tenant they may
    export, each filtered to what they requested. Download links come from `GET /v1/exports/{id}`."""
    tenants = sorted(p.audit_tenants | ({p.tenant} if p.tenant else set()))
    jobs: dict[str, dict[str, Any]] = {}
    for tenant in tenants:
        for item in ExportsTable.query(f"{tenant}#{KIND}", filter_condition=ExportsTable.data["requester"] == p.sub,
                                       scan_index_forward=False, limit=limit):
            job = item.fields()
            entry = jobs.setdefault(item.sk, {"id": item.sk, "tenants": job["tenants"], "datasets": job["datasets"],
                                              "format": job["format"], "created_at": item.created_at, "statuses": []})
            entry["statuses"].append(job["status"])
    items = sorted(jobs.values(), key=lambda j: j["id"], reverse=True)[:limit]
    return {"items": [{**{k: v for k, v in j.items() if k != "statuses"}, "status": _overall(j["statuses"])} for j in items],
            "next_cursor": None}


def _parts(p: Principal, job_id: str) -> list[ExportsTable]:
    """The requester's records of an export, one per tenant, by tenant; 404 for anyone else."""
    tenants = sorted(p.audit_tenants | ({p.tenant} if p.tenant else set()))
    parts = [item for item in ExportsTable.batch_get([(f"{t}#{KIND}", job_id) for t in tenants])
             if item.data["requester"] == p.sub]
    if not parts:
        raise store.not_found(KIND)
    return sorted(parts, key=lambda i: i.data["tenant"])


def get_export(p: Principal, job_id: str, log_read: bool = True) -> dict[str, Any]:
    """The requester's job: status and short-lived URLs; anyone else gets 404. Auditors' reads are logged."""
    parts = _parts(p, job_id)
    files, manifests, statuses, details = [], {}, [], {}
    for item in parts:
        job = item.fields()
        statuses.append(job["status"])
        if job.get("detail"):
            details[job["tenant"]] = job["detail"]
        for f in job.get("files", []) + (_listed(job["tenant"], job_id) if job.get("minutes_files") else []):
            files.append({"tenant": job["tenant"], "name": f["name"], "rows": f["rows"], "bytes": f["bytes"],
                          "sha256": f["sha256"], "url": storage.presigned_get(f["key"], f["name"])})
        if job.get("manifest_key"):
            manifests[job["tenant"]] = {"manifest_url": storage.presigned_get(job["manifest_key"], "manifest.json"),
                                        "signature_url": storage.presigned_get(job["manifest_key"] + ".sig", "manifest.json.sig")}
        profile, _ = standing(job["tenant"], p)  # a disabled user downloads nothing more
        if log_read:
            record_read(TenantContext(tenant=job["tenant"], principal=p, timezone=profile.get("timezone", "Asia/Shanghai")),
                        "export.read", f"export/{job_id}")
    status = _overall(statuses)
    first = manifests.get(parts[0].data["tenant"], {})
    return {"id": job_id, "status": status, "tenants": [i.data["tenant"] for i in parts], "datasets": parts[0].data["datasets"],
            "format": parts[0].data["format"], "files": files, "manifest_url": first.get("manifest_url"),
            "manifests": manifests, **({"details": details} if details else {})}
