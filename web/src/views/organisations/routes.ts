// The organisations screen's routes (its list first); each view is its own chunk. One view with a
// tab per part of the Party organisation, the tab chosen by the path (/organisations/pairings is
// where a pairing's contact task links).
import type { RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/organisations", component: () => import("./OrganisationsView.vue") },
  { path: "/organisations/:tab(units|branches|members|pairings|alliance)", component: () => import("./OrganisationsView.vue") },
];
