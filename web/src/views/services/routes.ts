// The services screen's routes (its list first); each view is its own chunk.
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/services", component: () => import("./ServicesView.vue") },
];
