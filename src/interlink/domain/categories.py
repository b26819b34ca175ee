"""Categories of known material: always a (scheme, code) pair, never a bare number.

The same digit means different things in different schemes (Project VIC's "1" is not the legacy
DHS "1"), so a category without its scheme is meaningless and is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from interlink.domain.errors import InvalidSignalError

#: Scheme name -> {code: label}. Labels are descriptive, for reports; codes are what is stored.
SCHEMES: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        # Project VIC / VICS US profile.
        "projectvic-us": MappingProxyType(
            {
                "0": "Uncategorized",
                "1": "Child abuse material",
                "2": "Child exploitive (non-CAM)",
                "3": "Non-pertinent (ignorable)",
                "4": "Other pertinent",
            }
        ),
        # Legacy US DHS / ICE categories.
        "dhs-legacy": MappingProxyType(
            {
                "0": "Uncategorized",
                "1": "Child pornography (prepubescent)",
                "2": "Child pornography (pubescent)",
                "3": "Child exploitive / age difficult",
                "4": "Adult pornography",
                "5": "Non-pertinent",
            }
        ),
        # UK sentencing categories used by CAID.
        "uk": MappingProxyType(
            {
                "A": "Category A (penetrative or sadistic)",
                "B": "Category B (non-penetrative)",
                "C": "Category C (other indecent)",
                "N": "Not indecent",
            }
        ),
        # Industry classification (Tech Coalition / NCMEC industry hash sharing).
        "industry": MappingProxyType(
            {
                "A1": "Prepubescent, sex act",
                "A2": "Prepubescent, lascivious exhibition",
                "B1": "Pubescent, sex act",
                "B2": "Pubescent, lascivious exhibition",
            }
        ),
        # Interpol ICSE baseline: the material every country agrees is illegal.
        "icse-baseline": MappingProxyType({"baseline": "Baseline", "not-baseline": "Not baseline"}),
    }
)


@dataclass(frozen=True, slots=True, order=True)
class Category:
    """A category code within a named scheme."""

    scheme: str
    code: str

    def __post_init__(self) -> None:
        codes = SCHEMES.get(self.scheme)
        if codes is None:
            raise InvalidSignalError("category", f"{self.scheme}:{self.code}", "unknown scheme")
        if self.code not in codes:
            raise InvalidSignalError(
                "category", f"{self.scheme}:{self.code}", f"no code {self.code!r} in the scheme"
            )

    @property
    def label(self) -> str:
        """The scheme's label for this code."""
        return SCHEMES[self.scheme][self.code]

    def display(self) -> str:
        """``scheme:code``."""
        return f"{self.scheme}:{self.code}"

    @classmethod
    def parse(cls, text: str) -> Category:
        """Read ``scheme:code`` (as ``display`` writes it)."""
        scheme, sep, code = text.partition(":")
        if not sep:
            raise InvalidSignalError("category", text, "expected scheme:code")
        return cls(scheme.strip().lower(), code.strip())
