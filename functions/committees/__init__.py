"""Party organisation around the big Party committee (大党委): units, committees, building
branches, Party members, directed pairings and the non-public-enterprise Party alliance."""
