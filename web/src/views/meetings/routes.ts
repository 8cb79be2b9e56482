// The meetings screen's routes (its list first); each view is its own chunk.
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/meetings", component: () => import("./MeetingsView.vue") },
  { path: "/meetings/actions/:id", component: () => import("./ActionView.vue"), props: true },
  { path: "/meetings/:id", component: () => import("./MeetingView.vue"), props: true },
];
