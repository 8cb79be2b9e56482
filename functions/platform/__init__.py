"""The platform area: tenants (districts) and their profiles."""
