"""Interpol ICSE's ``Lace`` hash: an opaque vendor value.

ICSE exports carry it in a ``Lace`` column. Its algorithm and encoding are not published, so
Interlink keeps it verbatim (see ``interlink.signals.opaque``) and exchanges it unchanged.
"""

from interlink.signals.opaque import opaque_type

TYPE = opaque_type("lace")
NAME = TYPE.name
validate = TYPE.validate
