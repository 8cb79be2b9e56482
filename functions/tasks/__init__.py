"""Everyone's open tasks: the index the writes keep (`index`) and the caller's list (`inbox`)."""
