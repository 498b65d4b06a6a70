"""Runtime: builds adapters and services from settings and runs them under one host."""

from nsl.runtime.runtime import Runtime

__all__ = ["Runtime"]
