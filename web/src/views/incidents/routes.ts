// The incidents screen's routes (its list first); each view is its own chunk.
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/incidents", component: () => import("./IncidentsView.vue") },
  { path: "/incidents/:id", component: () => import("./IncidentDetailView.vue") },
];
