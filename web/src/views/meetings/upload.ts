// A minutes file from the browser to the API: SHA-256 computed here (crypto.subtle), the upload
// declared (POST …/uploads), the bytes PUT to the presigned URL with progress (XMLHttpRequest, whose
// upload.onprogress fetch lacks), then …/complete, which re-hashes what was stored.
import { api } from "../../api/client";
import type { Problem } from "../../problem";
import { asProblem } from "../../problem";
import type { Revision } from "./lookup";

const TYPES: Record<string, string> = {
  md: "text/markdown", markdown: "text/markdown", txt: "text/plain", pdf: "application/pdf", doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", jpg: "image/jpeg", jpeg: "image/jpeg",
  png: "image/png", tif: "image/tiff", tiff: "image/tiff",
};

/** The file's content type as the API knows them (browsers leave .md untyped). */
export function contentType(file: File): string {
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  return TYPES[ext] ?? file.type ?? "application/octet-stream";
}

export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export type Phase = "hashing" | "declaring" | "uploading" | "verifying";

export class UploadFailed extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title);
  }
}

function put(url: string, headers: Record<string, string>, file: Blob, onProgress: (ratio: number) => void,
             texts: { refused: (status: number) => Problem; unreachable: Problem }): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300
      ? resolve() : reject(new UploadFailed(texts.refused(xhr.status))));
    xhr.onerror = () => reject(new UploadFailed(texts.unreachable));
    xhr.onabort = () => reject(new UploadFailed(texts.unreachable));
    xhr.send(file);
  });
}

/** Upload `file` as the meeting's next minutes revision; `reason` for a correction after approval. */
export async function uploadMinutes(meetingId: string, file: File, reason: string | undefined, report: {
  phase: (phase: Phase, sha256?: string) => void;
  progress: (ratio: number) => void;
  refused: (status: number) => Problem;
  unreachable: Problem;
}): Promise<Revision> {
  report.phase("hashing");
  const sha256 = await sha256Hex(file);
  report.phase("declaring", sha256);
  const path = { meeting_id: meetingId };
  const started = await api.POST("/v1/meetings/{meeting_id}/minutes/uploads", {
    params: { path }, body: { filename: file.name, content_type: contentType(file), size: file.size, sha256 },
  });
  if (started.error || !started.data) throw new UploadFailed(asProblem(started.error));
  const ticket = started.data;
  report.phase("uploading", sha256);
  await put(ticket.url, ticket.headers, file, report.progress, report);
  report.progress(1);
  report.phase("verifying", sha256);
  const completed = await api.POST("/v1/meetings/{meeting_id}/minutes/uploads/{upload_id}/complete", {
    params: { path: { ...path, upload_id: ticket.upload_id }, query: reason ? { reason } : {} }, body: {},
  });
  if (completed.error || !completed.data) throw new UploadFailed(asProblem(completed.error));
  return completed.data;
}
