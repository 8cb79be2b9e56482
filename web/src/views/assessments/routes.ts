// The assessments screen's routes (its list first); each view is its own chunk. The tabs of 考核 are
// chosen by the path (/assessments/appeals is where appeal tasks and notifications lead).
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/assessments", component: () => import("./AssessmentsView.vue"), meta: { tab: "ranking" } },
  { path: "/assessments/communities", component: () => import("./AssessmentsView.vue"), meta: { tab: "communities" } },
  { path: "/assessments/appeals", component: () => import("./AssessmentsView.vue"), meta: { tab: "appeals" } },
  { path: "/assessments/rules", component: () => import("./AssessmentsView.vue"), meta: { tab: "rules" } },
  { path: "/assessments/:period/units/:unitId", component: () => import("./UnitView.vue"), props: true },
];
