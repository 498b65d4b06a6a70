"""The ``nsl`` command: thin wrappers over library functions."""
