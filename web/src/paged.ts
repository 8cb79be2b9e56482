// A list read page by page with the API's cursors: the first page on `reload()`, the next on
// `more()`; never "load all".
import { ref, shallowRef, type Ref } from "vue";
import { asProblem, type Problem } from "./problem";

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

type Fetch<T> = (cursor: string | undefined) => Promise<{ data?: Page<T>; error?: unknown }>;

export function usePaged<T>(fetchPage: Fetch<T>) {
  const items = shallowRef<T[]>([]) as Ref<T[]>;
  const loading = ref(false);
  const problem = ref<Problem | null>(null);
  const cursor = ref<string | null>(null);
  let generation = 0; // a reload while a page is on its way discards that page

  async function load(append: boolean): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    problem.value = null;
    try {
      const { data, error } = await fetchPage(append ? cursor.value ?? undefined : undefined);
      if (mine !== generation) return;
      if (error || !data) {
        problem.value = asProblem(error);
        return;
      }
      items.value = append ? [...items.value, ...data.items] : data.items;
      cursor.value = data.next_cursor ?? null;
    } catch (thrown) {
      if (mine === generation) problem.value = asProblem(thrown);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  return {
    items, loading, problem,
    hasMore: () => cursor.value !== null,
    reload: () => load(false),
    more: () => load(true),
  };
}

type PageAnswer<T> = Promise<{ data?: Page<T>; error?: unknown }>;

/** Every item of a short list (a district's communities, a community's units), page after page: for
 * naming ids, never for a list the user browses. */
export async function everyPage<T>(fetchPage: (cursor: string | undefined) => PageAnswer<T>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await fetchPage(cursor);
    if (error || !data) throw asProblem(error);
    items.push(...data.items);
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return items;
}
