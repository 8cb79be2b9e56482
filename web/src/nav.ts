// The console's screens, in the navigation's order, each with the API operation that decides who
// sees it (the user's roles must be allowed to call it) and its routes (each view its own chunk).
import type { RouteRecordRaw } from "vue-router";
import type { Operation } from "./api/access";
import { can, session } from "./session";
import { routes as home } from "./views/home/routes";
import { routes as map } from "./views/map/routes";
import { routes as incidents } from "./views/incidents/routes";
import { routes as meetings } from "./views/meetings/routes";
import { routes as organisations } from "./views/organisations/routes";
import { routes as services } from "./views/services/routes";
import { routes as assessments } from "./views/assessments/routes";
import { routes as audit } from "./views/audit/routes";
import { routes as settings } from "./views/settings/routes";

export interface Screen {
  key: string; // i18n `nav.<key>`
  path: string;
  operation: Operation;
  districtOnly: boolean; // a district's work: hidden from auditors, who read districts through 审计
  routes: RouteRecordRaw[];
}

export const SCREENS: Screen[] = [
  { key: "home", path: "/", operation: "GET /v1/me/tasks", districtOnly: true, routes: home },
  { key: "map", path: "/map", operation: "GET /v1/grids", districtOnly: true, routes: map },
  { key: "incidents", path: "/incidents", operation: "GET /v1/incidents", districtOnly: true, routes: incidents },
  { key: "meetings", path: "/meetings", operation: "GET /v1/meetings", districtOnly: true, routes: meetings },
  { key: "organisations", path: "/organisations", operation: "GET /v1/units", districtOnly: true, routes: organisations },
  { key: "services", path: "/services", operation: "GET /v1/service-centres", districtOnly: true, routes: services },
  { key: "assessments", path: "/assessments", operation: "GET /v1/assessments", districtOnly: true, routes: assessments },
  { key: "audit", path: "/audit", operation: "GET /v1/audit-log", districtOnly: false, routes: audit },
  { key: "settings", path: "/settings", operation: "GET /v1/users", districtOnly: true, routes: settings },
];

/** The screens the signed-in user may open, in order. */
export function openScreens(): Screen[] {
  return SCREENS.filter((s) => can(s.operation) && (!s.districtOnly || Boolean(session.me?.tenant)));
}
