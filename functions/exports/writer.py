"""Streaming an export file to S3 with a multipart upload: memory stays flat however many rows.

Rows are encoded into a buffer that is sent as a part each time it reaches the part size; the
SHA-256 and byte count are computed on the way. XLSX is written by xlsxwriter in constant-memory
mode to a temporary file, then streamed the same way.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from typing import Any
from collections.abc import Iterable

from functions import config, storage

PART_BYTES = 8 * 1024 * 1024
BOM = "\ufeff".encode()
TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class MultipartFile:
    """A write-only S3 object sent in parts; `close()` completes it, `abort()` leaves nothing."""

    def __init__(self, key: str, content_type: str, tags: str | None = None) -> None:
        self.key = key
        extra = {"Tagging": tags} if tags else {}
        self.upload_id = storage.client().create_multipart_upload(
            Bucket=config.BUCKET, Key=key, ContentType=content_type, ServerSideEncryption=storage.SSE, **extra)["UploadId"]
        self.parts: list[dict[str, Any]] = []
        self.buffer = bytearray()
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        self.digest.update(data)
        self.size += len(data)
        if len(self.buffer) >= PART_BYTES:
            self._flush()

    def _flush(self) -> None:
        number = len(self.parts) + 1
        etag = storage.client().upload_part(Bucket=config.BUCKET, Key=self.key, UploadId=self.upload_id,
                                            PartNumber=number, Body=bytes(self.buffer))["ETag"]
        self.parts.append({"PartNumber": number, "ETag": etag})
        self.buffer.clear()

    def close(self) -> tuple[int, str]:
        if self.buffer or not self.parts:
            self._flush()
        storage.client().complete_multipart_upload(Bucket=config.BUCKET, Key=self.key, UploadId=self.upload_id,
                                                   MultipartUpload={"Parts": self.parts})
        return self.size, self.digest.hexdigest()

    def abort(self) -> None:
        storage.client().abort_multipart_upload(Bucket=config.BUCKET, Key=self.key, UploadId=self.upload_id)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def write_rows(key: str, fmt: str, header: list[str], fields: list[str], rows: Iterable[dict[str, Any]],
               tags: str | None = None) -> dict[str, Any]:
    """Write rows as CSV, JSON Lines or XLSX to `key`; returns rows, bytes and SHA-256."""
    out = MultipartFile(key, TYPES[fmt], tags)
    count = 0
    try:
        if fmt == "csv":
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            out.write(BOM)
            writer.writerow(header)
            for row in rows:
                writer.writerow([_cell(row.get(f)) for f in fields])
                count += 1
                if text.tell() > 64 * 1024:
                    out.write(text.getvalue().encode())
                    text.seek(0)
                    text.truncate()
            out.write(text.getvalue().encode())
        elif fmt == "jsonl":
            for row in rows:
                out.write(json.dumps({f: row.get(f) for f in fields}, ensure_ascii=False).encode() + b"\n")
                count += 1
        else:
            count = _xlsx(out, header, fields, rows)
        size, sha256 = out.close()
    except BaseException:
        out.abort()
        raise
    return {"rows": count, "bytes": size, "sha256": sha256}


def _xlsx(out: MultipartFile, header: list[str], fields: list[str], rows: Iterable[dict[str, Any]]) -> int:
    import xlsxwriter

    count = 0
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        book = xlsxwriter.Workbook(tmp.name, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
        sheet = book.add_worksheet("data")
        sheet.write_row(0, 0, header)
        for count, row in enumerate(rows, start=1):
            sheet.write_row(count, 0, [_cell(row.get(f)) for f in fields])
        book.close()
        with open(tmp.name, "rb") as f:
            while chunk := f.read(PART_BYTES):
                out.write(chunk)
    return count
