// Vant's uploader leaves its file input and its previews unnamed; name them, so a screen reader says
// what the control is and what each photo is (WCAG 1.1.1, 4.1.2). The previews appear inside the
// uploader after a file is read, so a MutationObserver names them as they come.
import { onBeforeUnmount, onMounted, type Ref } from "vue";

export function useNamedUploads(root: Ref<HTMLElement | null>, label: () => string): void {
  let watcher: MutationObserver | null = null;
  const name = () => {
    root.value?.querySelectorAll(".van-uploader__input").forEach((input) => input.setAttribute("aria-label", label()));
    root.value?.querySelectorAll<HTMLImageElement>(".van-uploader__preview img").forEach((img, i) => {
      if (!img.alt) img.alt = `${label()} ${i + 1}`;
    });
  };
  onMounted(() => {
    name();
    watcher = new MutationObserver(name);
    if (root.value) watcher.observe(root.value, { childList: true, subtree: true });
  });
  onBeforeUnmount(() => watcher?.disconnect());
}
