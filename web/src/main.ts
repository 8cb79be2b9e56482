import { createApp } from "vue";
import { createRouter, createWebHistory } from "vue-router";
import "element-plus/theme-chalk/base.css";
import App from "./App.vue";
import { TOKEN_KEY } from "./api/client";

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

// Sign-in until the identity provider's page comes: a token in the address (`/#token=…`, what
// `make token` prints) is kept for this browser and taken out of the address at once.
const fromAddress = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromAddress) {
  localStorage.setItem(TOKEN_KEY, fromAddress);
  history.replaceState(null, "", location.pathname + location.search);
}

const router = createRouter({
  history: createWebHistory(),
  routes: NAV.map((n) => ({ path: n.path, component: n.view, meta: { label: n.label } })),
});

createApp(App).use(router).mount("#app");
