"""Offboarding a district: export everything (JSON Lines, signed manifest) into the platform's
`offboarding/<tenant>/<id>/` folder, then delete every item and object of the tenant.

Only a suspended tenant can be offboarded. It is a job (`POST` answers 202 with its `Location`):
the export can be cancelled; once deleting begins, it cannot. Finding every item needs a Scan per table: this is a
rare platform job, never a request path, and the Scan filters on the `<tenant>#` key prefix.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from functions import config, storage, store
from functions.accounts import identity
from functions.errors import Conflict, Text
from functions.idempotency import Claim
from functions.exports import datasets, jobs, writer
from functions.ids import new_id
from functions.jobs import records
from functions.models import ALL_TABLES, JobsTable, PlatformTable
from functions.platform import tenants
from functions.tenancy import DISTRICT_ADMIN, Principal, TenantContext


def offboard(admin: Principal, tenant_id: str, claim: Claim | None = None) -> dict[str, Any]:
    """Check the tenant may be offboarded (404 unknown, 409 not suspended) and hand the work to a job
    (a repeat with the same `Idempotency-Key` answers what the first did)."""
    records.replayed(admin, claim)
    profile = tenants.get_tenant(tenant_id)
    if profile["status"] != "suspended":
        raise Conflict(Text("请先暂停该区，再注销", "Suspend the tenant before offboarding it"))
    return records.start(admin, "offboarding", f"注销 {tenant_id}：导出全部数据后删除 / offboard {tenant_id}",
                         {"tenant": tenant_id}, claim=claim)


def run_job(job: JobsTable, admin: Principal) -> dict[str, Any]:
    """The job worker's part: the export (cancellable, progress in rows), then the deletion (from
    which point it cannot be cancelled, progress in tables)."""
    data = job.fields()
    tenant_id = data["params"]["tenant"]
    if data.get("irreversible"):  # a worker died while deleting: carry on from the saved export
        ctx = TenantContext(tenant=tenant_id, principal=Principal(sub=admin.sub, roles=frozenset({DISTRICT_ADMIN}),
                                                                   tenant=tenant_id))
        export = data["export"]
    else:
        profile = tenants.get_tenant(tenant_id)
        if profile["status"] != "suspended":
            raise Conflict(Text("请先暂停该区，再注销", "Suspend the tenant before offboarding it"))
        ctx = TenantContext(tenant=tenant_id, principal=Principal(sub=admin.sub, roles=frozenset({DISTRICT_ADMIN}),
                                                                   tenant=tenant_id),
                            timezone=profile.get("timezone", "Asia/Shanghai"))
        export = _export_all(ctx, job)
        try:
            records.mark_irreversible(job, export=export)
        except records.Cancelled:
            _delete_objects(f"{export['prefix']}/")
            raise
    for user in store.query_all(PlatformTable, ctx.key("user")):  # their sign-in accounts go too
        identity.forget(user.sk)
    deleted = {}
    # the tenant's profile (platform table) goes last, so a rerun still finds what is left
    order = [m for m in ALL_TABLES if m is not PlatformTable] + [PlatformTable]
    for n, model in enumerate(order):
        records.progress(job, n, len(order), "tables deleted")
        deleted[model.Meta.table_name] = _delete_items(model, tenant_id)
    objects = _delete_objects(storage.tenant_key(tenant_id, ""))
    tenants.forget(tenant_id)
    records.progress(job, len(ALL_TABLES), len(ALL_TABLES), "tables deleted")
    return {"tenant": tenant_id, "export": export, "deleted_items": deleted, "deleted_objects": objects}


def _export_all(ctx: TenantContext, job: JobsTable) -> dict[str, Any]:
    export_id = new_id()
    base = f"offboarding/{ctx.tenant}/{export_id}"
    files: list[dict[str, Any]] = []
    done = 0
    try:
        for name in datasets.DATASETS:
            fields = [c[0] for c in datasets.columns(name)]
            rows = jobs.counted(datasets.rows(ctx, name, None, None), done,
                                lambda n: records.progress(job, n, None, "rows exported"))
            written = writer.write_rows(f"{base}/{name}.jsonl", "jsonl", fields, fields, rows)
            done += written["rows"]
            files.append({"name": f"{name}.jsonl", **written})
        readme = datasets.dictionary_markdown(list(datasets.DATASETS)).encode()
        storage.put(f"{base}/README.md", readme, "text/markdown; charset=utf-8")
        files.append({"name": "README.md", "rows": None, "bytes": len(readme),
                      "sha256": hashlib.sha256(readme).hexdigest()})
        manifest = json.dumps({"export_id": export_id, "tenant": ctx.tenant, "purpose": "offboarding", "files": files},
                              ensure_ascii=False, indent=2, sort_keys=True).encode()
        storage.put(f"{base}/manifest.json", manifest, "application/json; charset=utf-8")
        storage.put(f"{base}/manifest.json.sig", jobs.sign(manifest).encode(), "text/plain")
    except BaseException:  # cancelled or failed: no copy of the district's data stays behind
        _delete_objects(f"{base}/")
        raise
    # A worker that died mid-export (no cleanup ran) left other folders: only this one is the export.
    for page in storage.client().get_paginator("list_objects_v2").paginate(
            Bucket=config.BUCKET, Prefix=f"offboarding/{ctx.tenant}/", Delimiter="/"):
        for folder in page.get("CommonPrefixes", []):
            if folder["Prefix"] != f"{base}/":
                _delete_objects(folder["Prefix"])
    return {"id": export_id, "prefix": base, "files": files,
            "manifest_url": storage.presigned_get(f"{base}/manifest.json", "manifest.json")}


def _delete_items(model: Any, tenant_id: str) -> int:
    count = 0
    # Scan with a reason: offboarding must find every partition of the tenant, whatever its kind.
    with model.batch_write() as batch:
        for item in model.scan(model.pk.startswith(f"{tenant_id}#")):
            batch.delete(item)
            count += 1
    return count


def _delete_objects(prefix: str) -> int:
    s3 = storage.client()
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=config.BUCKET, Prefix=prefix):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=config.BUCKET, Delete={"Objects": keys, "Quiet": True})
            count += len(keys)
    return count
