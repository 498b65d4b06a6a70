"""The configuration service: versioned key/value configuration per environment, secrets sealed at rest."""
