"""MD5 of the whole file (exact signal)."""

from interlink.signals.base import crypto_type

TYPE = crypto_type("md5", 32)
NAME = TYPE.name
validate = TYPE.validate
