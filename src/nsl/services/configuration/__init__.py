"""The configuration service: versioned configuration per environment, secrets sealed at rest."""
