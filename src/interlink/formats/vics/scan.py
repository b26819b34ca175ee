"""A scanned case as VICS records, for export as a VICS 2.0 case.

Pure mapping: the caller gives the case, its media and where each copy was seen, and writes
the records with ``write_vics_case``. Copying the files beside the JSON (optional in VICS) is
the caller's I/O; ``relative_file_path`` names where each one goes so the JSON points at it.
"""

from __future__ import annotations

from collections.abc import Iterable

from interlink.domain.cases import Agency, Case
from interlink.domain.categories import Category
from interlink.domain.media import Media, Sighting
from interlink.formats.vics.records import VicsAltHash, VicsCase, VicsMedia, VicsMediaFile

#: What exports name the application that wrote them.
APPLICATION_NAME = "Interlink"


def case_of_scan(
    case: Case, agency: Agency | None, application_version: str, *, index: int = 0
) -> VicsCase:
    """The VICS case of an Interlink case (its UUID is the ``CaseID``)."""
    return VicsCase(
        index=index,
        case_id=str(case.id),
        case_number=case.name,
        contact_organization=None if agency is None else agency.name,
        contact_email=None if agency is None or not agency.contact else agency.contact,
        source_application_name=APPLICATION_NAME,
        source_application_version=application_version,
    )


def relative_file_path(media: Media, extension: str) -> str:
    """Where an export puts the file of ``media``: ``Files\\<md5>.<extension>`` (VICS paths use
    backslashes)."""
    suffix = extension.lstrip(".")
    return f"Files\\{media.md5}.{suffix}" if suffix else f"Files\\{media.md5}"


def media_of_scan(
    media: Media,
    sightings: Iterable[Sighting],
    *,
    media_id: int,
    category: Category | None = None,
    relative_path: str | None = None,
    comments: str | None = None,
) -> VicsMedia:
    """The VICS media of one scanned media, with a ``MediaFiles`` row per sighting.

    A copy inside a container (an archive in the exhibit) is written with its innermost path
    as ``FilePath`` and the chain around it as ``ParentFilePath``; ``SourceID`` is the
    exhibit. Hashes other than MD5 and SHA-1 go to ``AlternativeHashes``; ``comments`` (what
    the media was matched as, when that is more than a category) goes to ``Comments``.
    """
    files = []
    for sighting in sightings:
        ref = sighting.ref
        paths = [layer.path for layer in ref.layers]
        files.append(
            VicsMediaFile(
                file_name=ref.name,
                file_path=paths[-1] if paths else None,
                written=sighting.modified,
                source_id=ref.exhibit,
                parent_file_path="!".join(paths[:-1]) or None,
                parent_file_name=paths[-2].rsplit("/", 1)[-1] if len(paths) > 1 else None,
            )
        )
    alternatives = tuple(
        VicsAltHash(signal.type.upper(), signal.value)
        for signal in sorted(set(media.signals))
        if signal.type not in ("md5", "sha1")
    )
    if not any(alt.name == "SHA256" for alt in alternatives):
        alternatives = (VicsAltHash("SHA256", media.sha256), *alternatives)
    return VicsMedia(
        md5=media.md5,
        media_id=str(media_id),
        sha1=media.sha1,
        category=category,
        media_size=media.size,
        mime_type=media.media_type,
        relative_file_path=relative_path,
        comments=comments,
        alternative_hashes=alternatives,
        files=tuple(files),
    )
