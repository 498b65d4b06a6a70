"""Backups: the encrypted archive store, database/keys/config backups, restores, the service."""
