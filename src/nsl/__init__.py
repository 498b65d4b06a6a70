"""Neo Service Layer: off-chain services for Neo N3 and Neo X behind one API gateway."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("neo-service-layer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

SERVICE_TITLE = "Neo Service Layer API"
