"""Exports for central auditors and offboarding: every dataset, streamed to S3, with a signed manifest."""
