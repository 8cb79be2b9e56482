// The audit screen's routes (its list first); each view is its own chunk.
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/audit", component: () => import("./AuditView.vue") },
];
