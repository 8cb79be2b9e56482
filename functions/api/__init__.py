"""HTTP layer: one Chalice blueprint per area, plus the middleware and request helpers they share."""
