"""Secrets: path-addressed, versioned values under envelope encryption, with path policies."""
