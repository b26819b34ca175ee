"""Interpol ICSE's ``ZZ40`` hash: an opaque vendor value.

ICSE exports carry it in a ``ZZ40`` column. Its algorithm and encoding are not published, so
Interlink keeps it verbatim (see ``interlink.signals.opaque``) and exchanges it unchanged.
"""

from interlink.signals.opaque import opaque_type

TYPE = opaque_type("zz40")
NAME = TYPE.name
validate = TYPE.validate
