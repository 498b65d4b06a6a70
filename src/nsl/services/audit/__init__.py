"""The audit service: read and verify the hash-chained audit log (auditors and admins)."""
