// The settings screen's routes (its list first); each view is its own chunk. The tabs of 设置 are
// chosen by the path (/settings/calendar is where the calendar reminder leads).
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/settings", component: () => import("./SettingsView.vue"), meta: { tab: "users" } },
  { path: "/settings/departments", component: () => import("./SettingsView.vue"), meta: { tab: "departments" } },
  { path: "/settings/calendar", component: () => import("./SettingsView.vue"), meta: { tab: "calendar" } },
  { path: "/settings/limits", component: () => import("./SettingsView.vue"), meta: { tab: "limits" } },
  { path: "/settings/categories", component: () => import("./SettingsView.vue"), meta: { tab: "categories" } },
  { path: "/settings/channels", component: () => import("./SettingsView.vue"), meta: { tab: "channels" } },
];
