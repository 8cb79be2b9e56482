"""The demo district built from the source article (Gangbei, Guigang, 2016)."""
