"""The API gateway: app factory, edge and access middleware, problem+json, infrastructure routes."""
