"""Joint meetings, minutes in S3, decisions and the actions that follow them."""
