import { createApp } from "vue";
import { createRouter, createWebHistory } from "vue-router";
import "element-plus/theme-chalk/base.css";
import App from "./App.vue";

// Navigation in the order; each screen is its own chunk.
export const NAV = [
  { path: "/", label: "首页", view: () => import("./views/HomeView.vue") },
  { path: "/map", label: "地图", view: () => import("./views/PlaceholderView.vue") },
  { path: "/incidents", label: "事件", view: () => import("./views/PlaceholderView.vue") },
  { path: "/meetings", label: "会议", view: () => import("./views/PlaceholderView.vue") },
  { path: "/organisations", label: "党组织", view: () => import("./views/PlaceholderView.vue") },
  { path: "/services", label: "服务", view: () => import("./views/PlaceholderView.vue") },
  { path: "/assessments", label: "考核", view: () => import("./views/PlaceholderView.vue") },
  { path: "/audit", label: "审计", view: () => import("./views/PlaceholderView.vue") },
  { path: "/settings", label: "设置", view: () => import("./views/PlaceholderView.vue") },
];

const router = createRouter({
  history: createWebHistory(),
  routes: NAV.map((n) => ({ path: n.path, component: n.view, meta: { label: n.label } })),
});

createApp(App).use(router).mount("#app");
