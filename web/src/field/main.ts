// The field app: grid workers and residents on a phone (/field/). Offline first: the service worker
// keeps the app shell, IndexedDB keeps the last task list and the send queue (./queue.ts).
import { createApp } from "vue";
import { createRouter, createWebHistory } from "vue-router";
// Vant's components bring their own styles where used (the resolver); the ones called as functions
// (toast, dialog, image preview) are named here. The whole of Vant's CSS would reorder the cascade:
// a popup's white background over the toast's dark one.
import "vant/es/toast/style";
import "vant/es/dialog/style";
import "vant/es/image-preview/style";
import FieldApp from "./FieldApp.vue";
import { setApiBase } from "../api/client";
import { loadConfig } from "../config";
import { currentLocale, i18n } from "../i18n";
import { signedIn, useToken } from "../session";
import { districtGrids } from "./grids";
import { resumePatrol } from "./patrol";
import { startQueue } from "./queue";
import { isResident, whoAmI } from "./me";

async function start(): Promise<void> {
  const config = await loadConfig();
  setApiBase(config.apiBase);
  document.documentElement.lang = currentLocale();
  // a token in the address (the local server's links) only where sign-in is local: elsewhere a link
  // could sign a phone in as someone else
  const fromAddress = config.auth.mode === "local" ? new URLSearchParams(location.hash.slice(1)).get("token") : null;
  if (fromAddress) {
    useToken(fromAddress);
    history.replaceState(null, "", location.pathname + location.search);
  }
  if (config.auth.mode !== "local" && signedIn()) {
    const { resume } = await import("../auth/oidc");
    await resume(config.auth, useToken).catch(() => undefined); // offline: keep the session we have
  }

  const router = createRouter({
    history: createWebHistory("/field/"),
    routes: [
      { path: "/sign-in", component: () => import("./SignInView.vue"), meta: { public: true } },
      { path: "/auth/callback", component: () => import("./CallbackView.vue"), meta: { public: true } },
      { path: "/", component: () => import("./TasksView.vue"), meta: { worker: true } },
      { path: "/report", component: () => import("./ReportView.vue") },
      { path: "/incidents/:id", component: () => import("./IncidentView.vue") },
      { path: "/patrol", component: () => import("./PatrolView.vue"), meta: { worker: true } },
      { path: "/mine", component: () => import("./MyReportsView.vue") },
      { path: "/queue", component: () => import("./QueueView.vue") },
      { path: "/:rest(.*)*", redirect: "/" },
    ],
  });
  // Residents have no task list: their home is 我的上报.
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    if (!signedIn()) return { path: "/sign-in", query: { next: to.fullPath } };
    const me = await whoAmI();
    if (me && to.meta.worker && isResident()) return "/mine";
    return true;
  });
  // After a deploy the new service worker no longer holds the old build's chunks: a screen not opened
  // yet fails to load; a reload starts the new build (from the cache when offline).
  router.onError((failure: unknown) => {
    if (/dynamically imported module|Importing a module script failed/i.test(String(failure))) location.reload();
  });
  // Keep the district's grids on the phone while there is signal: the place picker needs them offline.
  let gridsKept = false;
  router.afterEach((to) => {
    if (gridsKept || to.meta.public || !navigator.onLine) return;
    gridsKept = true;
    void districtGrids(true);
  });
  await startQueue();
  resumePatrol();
  createApp(FieldApp).use(i18n).use(router).mount("#app");
}

void start();
