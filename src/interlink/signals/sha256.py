"""SHA-256 of the whole file (exact signal)."""

from interlink.signals.base import crypto_type

TYPE = crypto_type("sha256", 64)
NAME = TYPE.name
validate = TYPE.validate
