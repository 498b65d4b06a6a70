"""Benchmarks: each scenario measured against a raw ASGI baseline in the same run."""
