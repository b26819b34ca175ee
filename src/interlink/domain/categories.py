"""Categories of known material: always a (scheme, code) pair, never a bare number.

The same digit means different things in different schemes (Project VIC's "1" is not the legacy
DHS "1"), so a category without its scheme is meaningless and is never stored. Codes are strings.

Sources of each scheme (public, read when this table was written):

- ``projectvic-us``: the Project VIC (VICS) US profile, 0-4, as Autopsy ships it for its
  Project VIC tag set (``ImageGalleryService``, "kept in sync with the CountryManager code in
  the ProjectVic module"). Uncategorised media carry no category at all (VICS ``null``).
- ``dhs-legacy``: the legacy US DHS categorisation, 0-5, as Autopsy's ``DhsImageCategory``
  defines it (0 is "uncategorized", 5 "non-pertinent").
- ``uk``: the Sentencing Council (England and Wales) categories of indecent images of children
  that CAID grades by. The numeric codes the VICS UK profile writes for them are not published;
  ``interlink.formats.vics`` keeps such numbers raw rather than guess.
- ``industry``: the industry classification used by NCMEC hash sharing (``<classification>``
  ``A1``-``B2``): A prepubescent, B pubescent; 1 a sex act, 2 a lascivious exhibition.
- ``icse-baseline``: whether Interpol's ICSE marks the material as Baseline (illegal in every
  member country); ICSE exports give it as a yes/no column.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from interlink.domain.errors import InvalidFieldError, InvalidSignalError

#: Scheme name -> {code: label}. Labels are descriptive, for reports; codes are what is stored.
SCHEMES: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        "projectvic-us": MappingProxyType(
            {
                "0": "Non-pertinent",
                "1": "Child abuse material (CAM)",
                "2": "Child exploitive (non-CAM) / age difficult",
                "3": "CGI / animation (child exploitive)",
                "4": "Comparison images",
            }
        ),
        "dhs-legacy": MappingProxyType(
            {
                "0": "Uncategorized",
                "1": "Child exploitation (illegal)",
                "2": "Child exploitation (non-illegal / age difficult)",
                "3": "CGI / animation (child exploitive)",
                "4": "Exemplar / comparison (internal use only)",
                "5": "Non-pertinent",
            }
        ),
        "uk": MappingProxyType(
            {
                "A": "Category A (penetrative sexual activity, with an animal, or sadism)",
                "B": "Category B (non-penetrative sexual activity)",
                "C": "Category C (other indecent images)",
            }
        ),
        "industry": MappingProxyType(
            {
                "A1": "Prepubescent, sex act",
                "A2": "Prepubescent, lascivious exhibition",
                "B1": "Pubescent, sex act",
                "B2": "Pubescent, lascivious exhibition",
            }
        ),
        "icse-baseline": MappingProxyType(
            {
                "baseline": "Baseline (illegal in every member country)",
                "not-baseline": "Not baseline",
            }
        ),
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


def known_scheme(name: str) -> str:
    """``name`` as a scheme of ``SCHEMES`` (compared without case); ``InvalidFieldError`` when
    there is no such scheme."""
    scheme = name.strip().lower()
    if scheme not in SCHEMES:
        known = ", ".join(sorted(SCHEMES))
        raise InvalidFieldError("category scheme", name, f"not a known scheme ({known})")
    return scheme


def read_category(text: str, scheme: str | None = None) -> Category:
    """A category as lists and people write it: ``scheme:code``, or a bare code of ``scheme``
    when one is given. A bare code with no scheme is an ``InvalidSignalError``: a number means
    nothing until someone says in which scheme."""
    if ":" in text or scheme is None:
        return Category.parse(text)
    return Category(known_scheme(scheme), text.strip())
