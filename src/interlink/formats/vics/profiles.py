"""VICS versions, profiles and what their category numbers mean.

The OData context names the data-model version and, from 2.0 on, the profile:
``http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases`` (OData v3, key
``odata.metadata``) or ``http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/
$metadata#Media`` (OData v4, key ``@odata.context``). Profiles seen in public exports are
``US``, ``UK``, ``Default`` and ``CUSTOM``.

VICS 1.x predates profiles; it is the data model Project VIC built in the US, so a 1.x file is
read with the US numbering. Only the US profile's numbering is public (``projectvic-us``, see
``interlink.domain.categories``). For the others a reader keeps the number as written and
gives no category, unless the caller supplies the mapping (``CategoryMap``) or names the
scheme the numbers are codes of (``category_scheme``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from interlink.domain.categories import SCHEMES, Category, known_scheme
from interlink.domain.errors import FormatError

#: Data-model versions Interlink reads and writes.
VERSIONS = ("1.1", "1.2", "1.3", "2.0")
#: profile -> {number as written: category}.
CategoryMap = Mapping[str, Mapping[str, Category]]

DEFAULT_CATEGORY_MAP: CategoryMap = MappingProxyType(
    {
        "US": MappingProxyType(
            {code: Category("projectvic-us", code) for code in SCHEMES["projectvic-us"]}
        )
    }
)

_CONTEXT = re.compile(
    r"DataModels/(?P<version>\d+\.\d+)\.xml(?:/(?P<profile>[A-Za-z0-9_]+))?"
    r"(?:/\$metadata)?(?:#(?P<kind>\w+))?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Context:
    """What an OData context URL says: version, profile (``US`` for 1.x), entity set
    (``Cases``/``Media``)."""

    url: str
    version: str | None = None
    profile: str | None = None
    kind: str | None = None


def parse_context(url: str) -> Context:
    """Read a VICS context URL; parts it does not show are ``None``."""
    match = _CONTEXT.search(url)
    if match is None:
        return Context(url)
    version, profile = match["version"], match["profile"]
    if profile is None and version.startswith("1."):
        profile = "US"
    return Context(url, version, profile, match["kind"])


def context_url(version: str, profile: str, kind: str) -> str:
    """The context URL exporters write for ``version`` (1.x ignores the profile)."""
    if version.startswith("1."):
        return f"http://github.com/ICMEC/ProjectVic/DataModels/{version}.xml#{kind}"
    return f"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/{version}.xml/{profile}/$metadata#{kind}"


def context_key(version: str) -> str:
    """The JSON key of the context: ``odata.metadata`` (OData v3, VICS 1.x) or
    ``@odata.context`` (OData v4, VICS 2.0)."""
    return "odata.metadata" if version.startswith("1.") else "@odata.context"


def codes_of(profile: str | None, mapping: CategoryMap) -> Mapping[str, Category] | None:
    """The numbering of ``profile`` in ``mapping`` (names compared without case), if any."""
    return None if profile is None else _lookup(mapping, profile)


def category_of(code: str | None, profile: str | None, mapping: CategoryMap) -> Category | None:
    """The category number ``code`` means under ``profile``, if ``mapping`` knows it."""
    table = codes_of(profile, mapping)
    return None if code is None or table is None else table.get(code)


def knows_profile(profile: str | None, mapping: CategoryMap) -> bool:
    """Whether ``mapping`` gives the numbering of ``profile``."""
    return codes_of(profile, mapping) is not None


def code_of(category: Category, profile: str, mapping: CategoryMap) -> str | None:
    """The number ``profile`` writes for ``category``, if ``mapping`` has one."""
    table = _lookup(mapping, profile)
    if table is None:
        return None
    for code, known in table.items():
        if known == category:
            return code
    return None


def _lookup(mapping: CategoryMap, profile: str) -> Mapping[str, Category] | None:
    for name, table in mapping.items():
        if name.lower() == profile.lower():
            return table
    return None


@dataclass(frozen=True, slots=True)
class Numbering:
    """What the category numbers of one file mean: ``codes`` (``None`` when unknown) and the
    name of what gives them, for messages (``the US profile``, ``the uk scheme``)."""

    codes: Mapping[str, Category] | None
    source: str

    def category(self, code: object, field: str = "Category") -> Category | None:
        """The category the number ``code`` (text) means; ``None`` for no code or an unknown
        numbering; a code the numbering lacks is a ``FormatError``."""
        if not isinstance(code, str) or self.codes is None:
            return None
        found = self.codes.get(code)
        if found is None:
            raise FormatError(f"{field}: no code {code!r} in {self.source}")
        return found


def numbering(
    profile: str | None, mapping: CategoryMap, category_scheme: str | None = None
) -> Numbering:
    """The numbering of ``profile`` in ``mapping``; when that is unknown and the caller names
    ``category_scheme``, the numbers are read as codes of that scheme."""
    codes = codes_of(profile, mapping)
    if codes is not None or category_scheme is None:
        return Numbering(codes, f"the {profile} profile")
    name = known_scheme(category_scheme)
    return Numbering(
        MappingProxyType({code: Category(name, code) for code in SCHEMES[name]}),
        f"the {name} scheme",
    )
