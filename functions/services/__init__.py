"""Services: the three-level service network and 20-minute circle, service requests, volunteers, programmes."""
