"""Deployment manifests (compose per phase, Kubernetes) generated from the catalogue and the
deployment spec, so they cannot drift from what the code registers."""
