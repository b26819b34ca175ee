"""SHA-1 of the whole file (exact signal)."""

from interlink.signals.base import crypto_type

TYPE = crypto_type("sha1", 40)
NAME = TYPE.name
validate = TYPE.validate
