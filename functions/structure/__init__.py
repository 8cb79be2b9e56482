"""District structure: streets (街道), communities (社区) and grids (网格)."""
