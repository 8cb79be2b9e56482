// The home screen: the user's tasks and their scope's dashboard.
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/", component: () => import("./HomeView.vue") },
];
