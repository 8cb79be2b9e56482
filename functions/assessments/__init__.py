"""Co-building activities (五齐) and the monthly co-building assessment of every unit."""
