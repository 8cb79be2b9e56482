import { createApp } from "vue";
import { createRouter, createWebHistory } from "vue-router";
import "element-plus/theme-chalk/base.css";
import "./theme.css";
import App from "./App.vue";
import { setApiBase } from "./api/client";
import { loadConfig } from "./config";
import { i18n } from "./i18n";
import { SCREENS, openScreens } from "./nav";
import { loadMe, signedIn, useToken } from "./session";

async function start(): Promise<void> {
  const config = await loadConfig();
  setApiBase(config.apiBase);

  // A token in the address (`/#token=…`, what `make token` prints) is kept for this browser and taken
  // out of the address at once.
  const fromAddress = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromAddress) {
    useToken(fromAddress);
    history.replaceState(null, "", location.pathname + location.search);
  }
  if (config.auth.mode !== "local" && signedIn()) {
    const { resume } = await import("./auth/oidc");
    await resume(config.auth, useToken);
  }

  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: "/sign-in", component: () => import("./views/SignInView.vue"), meta: { public: true } },
      { path: "/auth/callback", component: () => import("./views/CallbackView.vue"), meta: { public: true } },
      ...SCREENS.flatMap((screen) => screen.routes.map((route) => ({ ...route, meta: { ...route.meta, screen: screen.key } }))),
      { path: "/:rest(.*)*", component: () => import("./views/NotFoundView.vue") },
    ] as never,
  });

  // Signed out: the sign-in page, then back. Signed in: a screen the user's roles do not open leads to
  // the first one they do (an auditor lands on 审计).
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    if (!signedIn()) return { path: "/sign-in", query: { next: to.fullPath } };
    const me = await loadMe();
    if (!me) return true; // the app shows why the token was refused
    const open = openScreens();
    if (!to.meta.screen || open.some((s) => s.key === to.meta.screen)) return true;
    return open[0] && open[0].path !== to.path ? open[0].path : true;
  });

  document.documentElement.lang = i18n.global.locale.value;
  createApp(App).use(i18n).use(router).mount("#app");
}

void start();
