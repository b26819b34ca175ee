"""XMP packets: selected properties, parsed with defusedxml (no entities, no external lookups).

Properties may be written as attributes of ``rdf:Description`` or as child elements, with
``rdf:Seq``/``rdf:Bag``/``rdf:Alt`` lists; all forms give ``prefix:Name`` -> text values.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

#: Namespace URIs -> the usual prefixes (XMP writers may choose other prefixes).
NAMESPACES = {
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#": "stRef",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
}
#: The properties kept as clues.
SELECTED = frozenset(
    {
        "tiff:Make",
        "tiff:Model",
        "tiff:Artist",
        "tiff:Software",
        "exifEX:BodySerialNumber",
        "exifEX:LensSerialNumber",
        "exifEX:LensModel",
        "exifEX:LensMake",
        "exifEX:CameraOwnerName",
        "exifEX:ImageUniqueID",
        "exif:ImageUniqueID",
        "aux:SerialNumber",
        "aux:LensSerialNumber",
        "aux:Lens",
        "aux:OwnerName",
        "exif:DateTimeOriginal",
        "exif:GPSLatitude",
        "exif:GPSLongitude",
        "exif:GPSAltitude",
        "xmp:CreatorTool",
        "xmp:CreateDate",
        "xmp:ModifyDate",
        "xmpMM:DocumentID",
        "xmpMM:OriginalDocumentID",
        "xmpMM:InstanceID",
        "xmpMM:DerivedFrom.stRef:documentID",
        "xmpMM:History.stEvt:softwareAgent",
        "xmpMM:History.stEvt:when",
        "xmpMM:History.stEvt:action",
        "dc:creator",
        "dc:rights",
        "dc:title",
        "dc:description",
        "photoshop:DateCreated",
        "photoshop:City",
        "photoshop:State",
        "photoshop:Country",
        "photoshop:Credit",
        "photoshop:AuthorsPosition",
        "Iptc4xmpCore:Location",
        "xmpRights:Owner",
    }
)
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


class XmpError(ValueError):
    """The XMP packet is not well-formed (or tried entity tricks)."""


def _name(tag: str) -> str:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return f"{NAMESPACES.get(uri, uri)}:{local}"
    return tag


def _values(element: Element, path: str) -> list[tuple[str, str]]:
    """(property path, text) for one property element and whatever it nests."""
    out: list[tuple[str, str]] = []
    text = (element.text or "").strip()
    if text:
        out.append((path, text))
    resource = element.get(f"{{{_RDF}}}resource")
    if resource:
        out.append((path, resource))
    for key, value in element.attrib.items():
        if not key.startswith(f"{{{_RDF}}}") and value.strip():
            out.append((f"{path}.{_name(key)}", value.strip()))
    for child in element:
        if child.tag.startswith(f"{{{_RDF}}}"):
            out.extend(_values(child, path))  # Seq, Bag, Alt, li, Description
        else:
            out.extend(_values(child, f"{path}.{_name(child.tag)}"))
    return out


def parse_xmp(packet: bytes | str) -> list[tuple[str, str]]:
    """The selected properties of an XMP packet as ``(prefix:Name, value)`` pairs, in
    document order (list properties give one pair per item). Raise ``XmpError`` when the
    packet is not well-formed XML or declares entities."""
    data = packet.encode("utf-8") if isinstance(packet, str) else packet
    data = data.strip(b"\x00 \t\r\n")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise XmpError(f"unreadable XMP: {exc}") from exc
    found: list[tuple[str, str]] = []
    tops = [d for rdf in root.iter(f"{{{_RDF}}}RDF") for d in rdf.findall(f"{{{_RDF}}}Description")]
    for description in tops:
        for key, value in description.attrib.items():
            if not key.startswith(f"{{{_RDF}}}"):
                found.append((_name(key), value.strip()))
        for child in description:
            found.extend(_values(child, _name(child.tag)))
    return [(name, value) for name, value in found if name in SELECTED and value]
