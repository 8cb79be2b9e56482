// The map's colours: incidents by state (the legend shows them with label("incident_status", …)),
// the communities' fills, and the line styles of streets, communities and grids.

export const INCIDENT_STATUSES = ["reported", "accepted", "dispatched", "in_progress", "resolved", "verified", "closed", "rejected"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Still in the loop: not closed and not rejected. */
export const OPEN_STATUSES: readonly IncidentStatus[] = ["reported", "accepted", "dispatched", "in_progress", "resolved", "verified"];

export const STATUS_COLOUR: Record<IncidentStatus, string> = {
  reported: "#d03050", // waiting to be accepted
  accepted: "#e6760a",
  dispatched: "#b8860b",
  in_progress: "#1f6feb",
  resolved: "#0e8a7e",
  verified: "#2e8b3e",
  closed: "#6b7078",
  rejected: "#3d3f44",
};

export const OVERDUE_RING = "#b3121e";

// soft fills that tell neighbouring communities apart
export const COMMUNITY_FILLS = ["#f6d9a8", "#cfe3f7", "#d7efd2", "#f3d1dc", "#e3dcf5", "#fbe7b5", "#cdeeea", "#f6dccb",
  "#dde6c5", "#d9e2f3", "#f0d9ef", "#e8e1cf"];

export const STREET_LINE = { color: "#7a1b1b", weight: 4, opacity: 0.9, fill: false, dashArray: "10 6" };
export const COMMUNITY_LINE = { color: "#4a5a6a", weight: 2, opacity: 1, fillOpacity: 0.55 };
export const GRID_LINE = { color: "#8a94a0", weight: 1, opacity: 0.9, fillColor: "#ffffff", fillOpacity: 0.08 };
// outside the 20-minute circle: hatched (the pattern #gj-hatch in MapView), the community's colour showing through
export const GRID_OUTSIDE = { color: "#8a94a0", weight: 1, opacity: 0.9, fillColor: "#4b4f55", fillOpacity: 0.35 };
export const GRID_SELECTED = { color: "#1f6feb", weight: 3, opacity: 1, fillColor: "#1f6feb", fillOpacity: 0.28 };
export const CIRCLE_LINE = { color: "#b3121e", weight: 1.5, opacity: 0.8, dashArray: "6 4", fillColor: "#b3121e", fillOpacity: 0.04 };
