// The services screen's routes (its list first); each view is its own chunk. One view with a tab per
// kind of service, the tab chosen by the path (/services/volunteer is where hours to verify link).
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/services", component: () => import("./ServicesView.vue") },
  { path: "/services/:tab(requests|programmes|volunteer|reports)", component: () => import("./ServicesView.vue") },
];
