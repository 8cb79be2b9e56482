// Vant leaves some controls unnamed: the uploader's file input and its previews, the rate's stars.
// Name them, so a screen reader says what each is (WCAG 1.1.1, 4.1.2). They appear inside the
// components after the page renders (a preview once a file is read), so a MutationObserver names
// them as they come.
import { onBeforeUnmount, onMounted, type Ref } from "vue";

function useNaming(root: Ref<HTMLElement | null>, name: (root: HTMLElement) => void): void {
  let watcher: MutationObserver | null = null;
  onMounted(() => {
    if (!root.value) return;
    name(root.value);
    watcher = new MutationObserver(() => root.value && name(root.value));
    watcher.observe(root.value, { childList: true, subtree: true });
  });
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
