"""A bigger district to measure on: Gangbei ×10 with a year of its work, in a tenant of its own.

It is made from the demo district as the loader stores it (through the services, audited), copied
item by item, key and references rewritten: the district's structure and organisation ten times
over (1,510 grids, 1,360 units, their committees, members, centres, departments and users), and
each month's work (incidents, patrols, activities, meetings with their minutes, decisions and
actions, volunteer hours, service requests) ten times in each of the twelve months back from the
demo's. Every copy of an object gets an id of its own, derived from the original's, so the
copies reference each other as the originals do. Copies overlap on the map (the bench measures
volume, not geography). Derived data (the audit log, tasks, idempotency records, assessment
results) is not copied: the measured runs make their own.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ulid import ULID

from functions import aws, config
from functions.models import AuditTable, JobsTable, TasksTable
from functions.models import ALL_TABLES

SOURCE = "gangbei"
COPIES = 10
MONTHS = 12
# partition kinds whose items are one month's work: copied into every month of the year
MONTHLY = {"incident", "cobuilding_activity", "volunteer_activity", "volunteer-day", "service_request", "meeting",
           "decision", "action"}
# partition kinds that are derived or per-request: not copied
SKIPPED = {"idem", "audit", "assessment-run", "assessment-period", "export", "job"}
ULID_TEXT = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{26}\b")
MONTH_SECONDS = 30.44 * 86400
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DAY = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)")
MONTH = re.compile(r"\b(20\d\d)-(\d\d)\b(?!-\d)")
OBJECT = re.compile(r'"(tenants/[^"]+)"')
VERSION = re.compile(r'"version_id": \{"S": "[^"]*"\}')


def copied_id(original: str, copy: int, month: int) -> str:
    """A stable new ULID for copy `copy` in month offset `month`: the original's time `month` months
    earlier (incidents are listed by the time in their ids), a hashed random part (so every copy is
    distinct and each reference to it maps the same way)."""
    if copy == 0 and month == 0:
        return original
    digest = hashlib.sha256(f"{original}|{copy}|{month}".encode()).digest()
    moment = ULID.from_str(original).timestamp - month * MONTH_SECONDS
    return str(ULID.from_timestamp(moment))[:10] + "".join(CROCKFORD[b % 32] for b in digest[:16])


def shift_months(text: str, months: int) -> str:
    """Every date and month in `text`, `months` earlier (days past the 28th become the 28th)."""
    if months == 0:
        return text

    def month_back(year: int, month: int) -> tuple[int, int]:
        total = year * 12 + (month - 1) - months
        return total // 12, total % 12 + 1

    def day(match: re.Match[str]) -> str:
        y, m = month_back(int(match.group(1)), int(match.group(2)))
        return f"{y:04d}-{m:02d}-{min(int(match.group(3)), 28):02d}"

    def month(match: re.Match[str]) -> str:
        y, m = month_back(int(match.group(1)), int(match.group(2)))
        return f"{y:04d}-{m:02d}"

    return MONTH.sub(month, DAY.sub(day, text))


def partition_kind(pk: str) -> str:
    return pk.split("#")[1] if "#" in pk else ""


def source_items(table: str) -> list[dict[str, Any]]:
    """Every stored item of the source district in `table` (a Scan: a bench tool, never a request)."""
    client = aws.client("dynamodb")
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(
            TableName=table, FilterExpression="begins_with(pk, :p)", ExpressionAttributeValues={":p": {"S": f"{SOURCE}#"}}):
        items += page["Items"]
    return items


def rewrite(item: dict[str, Any], target: str, copy: int, month: int,
            structure_ids: set[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One copy of a stored item: the tenant, every id (structure ids per copy, the rest per copy
    and month) and, for a month's work, every date; with the S3 objects it names (original → copy),
    whose stored versions the copy no longer pins."""
    original = json.dumps(item, ensure_ascii=False)
    text = original.replace(f'"{SOURCE}#', f'"{target}#').replace(f'"{SOURCE}"', f'"{target}"')
    text = text.replace(f'"tenants/{SOURCE}/', f'"tenants/{target}/')
    text = ULID_TEXT.sub(lambda m: copied_id(m.group(0), copy, 0 if m.group(0) in structure_ids else month), text)
    text = VERSION.sub('"version_id": {"NULL": true}', shift_months(text, month))
    objects = list(zip(OBJECT.findall(original), OBJECT.findall(text)))
    loaded: dict[str, Any] = json.loads(text)
    return loaded, objects


def build(target: str) -> dict[str, int]:
    """Copy the demo district (already loaded) into `target`: returns items written per partition kind."""
    client = aws.client("dynamodb")
    written: Counter[str] = Counter()
    files: set[tuple[str, str]] = set()
    for model in ALL_TABLES:
        if model in (AuditTable, TasksTable, JobsTable):
            continue
        table = model.Meta.table_name
        items = [i for i in source_items(table) if partition_kind(i["pk"]["S"]) not in SKIPPED]
        structure_ids = {i["sk"]["S"] for i in items if partition_kind(i["pk"]["S"]) not in MONTHLY}
        copies = []
        for item in items:
            kind = partition_kind(item["pk"]["S"])
            months = range(MONTHS) if kind in MONTHLY else range(1)
            for copy in range(COPIES):
                for month in months:
                    copied, objects = rewrite(item, target, copy, month, structure_ids)
                    copies.append(copied)
                    files.update(objects)
                    written[kind] += 1
        unique = list({(c["pk"]["S"], c["sk"]["S"]): c for c in copies}.values())

        def send(batch: list[dict[str, Any]], table: str = table) -> None:
            pending = [{"PutRequest": {"Item": i}} for i in batch]
            while pending:
                answer = client.batch_write_item(RequestItems={table: pending})
                pending = answer.get("UnprocessedItems", {}).get(table, [])

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(send, [unique[n:n + 25] for n in range(0, len(unique), 25)]))
    s3 = aws.client("s3")
    for source, copy_key in sorted(files):
        if source != copy_key:
            s3.copy_object(Bucket=config.BUCKET, Key=copy_key, CopySource={"Bucket": config.BUCKET, "Key": source})
    written["s3 objects"] = len(files)
    return dict(written)
