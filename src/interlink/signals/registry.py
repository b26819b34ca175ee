"""The signal types this installation knows: the built-ins plus those of installed plugins.

Plugins declare an entry point in the ``interlink.signals`` group naming a ``SignalType``.
Names are checked to be unique, then the registry is frozen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType

from interlink.domain.errors import ConfigurationError, UnknownSignalTypeError
from interlink.signals import lace, md5, orb, pdq, photodna, sha1, sha256, vpdq, zz40
from interlink.signals.base import SignalType

BUILTINS: tuple[SignalType, ...] = (
    md5.TYPE,
    sha1.TYPE,
    sha256.TYPE,
    pdq.TYPE,
    photodna.TYPE,
    vpdq.TYPE,
    zz40.TYPE,
    lace.TYPE,
    orb.TYPE,
)
#: The cryptographic signals every file gets, computed in one read pass.
CRYPTO: tuple[str, ...] = (md5.NAME, sha1.NAME, sha256.NAME)


def build(types: Iterable[SignalType]) -> Mapping[str, SignalType]:
    """A frozen name -> type mapping; raise ``ConfigurationError`` on a duplicate name."""
    table: dict[str, SignalType] = {}
    for signal_type in types:
        if signal_type.name in table:
            raise ConfigurationError(f"signal type {signal_type.name!r} is registered twice")
        table[signal_type.name] = signal_type
    return MappingProxyType(table)


def _plugins() -> list[SignalType]:
    # Imported when the registry is first built: importing ``importlib.metadata`` (email,
    # zipfile, csv...) cost every process that only hashes, such as a scan's workers.
    from importlib.metadata import entry_points

    found: list[SignalType] = []
    for point in entry_points(group="interlink.signals"):
        loaded = point.load()
        if not isinstance(loaded, SignalType):
            raise ConfigurationError(f"entry point {point.name!r} is not a SignalType")
        found.append(loaded)
    return found


@cache
def registry() -> Mapping[str, SignalType]:
    """Every registered signal type, by name."""
    return build((*BUILTINS, *_plugins()))


def get(name: str) -> SignalType:
    """The signal type called ``name``; raise ``UnknownSignalTypeError`` if there is none."""
    try:
        return registry()[name]
    except KeyError:
        raise UnknownSignalTypeError(name) from None


def normalise(name: str, value: str) -> str:
    """``value`` normalised by the validator of signal type ``name``."""
    return get(name).validate(value)
