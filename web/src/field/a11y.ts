// Vant leaves some controls unnamed: the uploader's file input and its previews, the rate's stars.
// Name them, so a screen reader says what each is (WCAG 1.1.1, 4.1.2). They appear inside the
// components after the page renders (a preview once a file is read), so a MutationObserver names
// them as they come; the root itself may come later (a page shown once its data is loaded).
import { onBeforeUnmount, watch, type Ref } from "vue";

function useNaming(root: Ref<HTMLElement | null>, name: (root: HTMLElement) => void): void {
  let watcher: MutationObserver | null = null;
  watch(root, (el) => {
    watcher?.disconnect();
    watcher = null;
    if (!el) return;
    name(el);
    watcher = new MutationObserver(() => name(el));
    watcher.observe(el, { childList: true, subtree: true });
  }, { immediate: true, flush: "post" });
  onBeforeUnmount(() => watcher?.disconnect());
}

export function useNamedUploads(root: Ref<HTMLElement | null>, label: () => string): void {
  useNaming(root, (el) => {
    el.querySelectorAll(".van-uploader__input").forEach((input) => input.setAttribute("aria-label", label()));
    el.querySelectorAll<HTMLImageElement>(".van-uploader__preview img").forEach((img, i) => {
      if (!img.alt) img.alt = `${label()} ${i + 1}`;
    });
  });
}

/** Each star of a van-rate: "满意度 3 / 5". */
export function useNamedRates(root: Ref<HTMLElement | null>, label: () => string): void {
  useNaming(root, (el) => {
    el.querySelectorAll(".van-rate").forEach((rate) => rate.querySelectorAll("[role=radio]").forEach((star, i, all) => {
      const name = `${label()} ${i + 1} / ${all.length}`;
      if (star.getAttribute("aria-label") !== name) star.setAttribute("aria-label", name);
    }));
  });
}
