"""Rollout state shared by every process: feature flags and blue/green routes."""
