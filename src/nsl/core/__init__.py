"""Core: the service contract, host lifecycle, catalogue, settings, errors, clock and ids."""
