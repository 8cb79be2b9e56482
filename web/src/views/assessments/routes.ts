// The assessments screen's routes (its list first); each view is its own chunk.
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/assessments", component: () => import("./AssessmentsView.vue") },
];
