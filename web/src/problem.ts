// The API's errors are RFC 9457 problem details: a screen shows their title, detail and the fields
// they name, in the language of the request.

export interface Problem {
  type?: string;
  title: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** The problem of a failed call (openapi-fetch's `error`, a thrown fetch error, anything). */
export function asProblem(error: unknown): Problem {
  if (error && typeof error === "object" && "title" in error) return error as Problem;
  if (error instanceof Error) return { title: "网络错误 / Network error", detail: error.message };
  return { title: "出错了 / Something went wrong", detail: String(error ?? "") };
}
