"""CyberTipline-style platform reports in XML: a streaming reader and a writer.

The element names and nesting follow the public NCMEC CyberTipline *ESP reporting API*
(``ispws``: ``report`` with ``incidentSummary``, ``personOrUserReported`` and
``intendedRecipient`` holding ``espService``, ``espIdentifier``, ``screenName``,
``ipCaptureEvent`` (``ipAddress``, ``eventName``, ``dateTime``, ``possibleProxy``, ``port``),
``deviceId`` (``idType``, ``idValue``), ``priorCTReports``, ``groupIdentifier``,
``estimatedLocation`` (attributes ``verified`` and ``timestamp``; children ``city``,
``region``, ``countryCode``); ``fileDetails`` with ``originalFileHash`` (attribute
``hashType``), ``industryClassification`` (``A1``, ``A2``, ``B1``, ``B2``) and
``fileAnnotations`` (empty flag elements such as ``<viral/>``)), as documented in NCMEC's
"CyberTipline Reporting API technical documentation" and mirrored by the open-source
``ncmec-cybertip`` client's models.

Where Interlink had to infer (the ESP API is for *submitting* one report at a time):

- a file holds many reports: a root element (any name, ``reports`` by convention) whose
  children are ``report`` elements; a lone ``report`` root is accepted too;
- each report carries its id in a ``reportId`` child (or an ``id`` attribute), as NCMEC's
  ``fileDetails`` documents do; a report without one is a problem;
- ``fileDetails`` (a separate document per uploaded file in the API) are nested inside their
  ``report``;
- e-mails and phones may sit in ``personOrUserReportedPerson`` (as in the schema) or
  directly under the user element;
- date-times without an offset are taken to be UTC.

Parsing refuses any DTD (so no entity can be declared, let alone expanded) and streams:
only one report's elements are held at a time. A report that breaks the rules becomes a
``ReportProblem`` with its position and the others are kept; XML that is not well formed
stops the reading at that point (every report before it is kept).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, SubElement, TreeBuilder, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from interlink.domain.errors import FormatError
from interlink.domain.reports import PlatformReport, ReportProblem
from interlink.formats import cybertip_fields as fields
from interlink.formats.cybertip_fields import Tree
from interlink.formats.cybertip_json import ATTRIBUTES, report_to_json

CHUNK = 1 << 16


def _local(name: str) -> str:
    return name.rpartition("}")[2]


class _XmlTree:
    """``Tree`` over an element whose tags and attribute names have no namespace."""

    __slots__ = ("_element",)

    def __init__(self, element: Element) -> None:
        self._element = element

    def attr(self, name: str) -> str | None:
        return self._element.get(name)

    def text(self) -> str | None:
        return self._element.text

    def children(self, name: str) -> list[Tree]:
        return [_XmlTree(node) for node in self._element if node.tag == name]

    def names(self) -> Iterator[str]:
        return (node.tag for node in self._element)


class _ReportCollector:
    """Parser target that builds each ``report`` subtree and drops everything else."""

    def __init__(self, line: Callable[[], int]) -> None:
        self._line = line
        self._depth = 0
        self._builder: TreeBuilder | None = None
        self._report_depth = 0
        self._start_line = 0
        self.done: list[tuple[Element, int]] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self._depth += 1
        local = _local(tag)
        if self._builder is None and local == "report" and self._depth <= 2:
            self._builder = TreeBuilder()
            self._report_depth = self._depth
            self._start_line = self._line()
        if self._builder is not None:
            self._builder.start(local, {_local(key): value for key, value in attrs.items()})

    def end(self, tag: str) -> None:
        if self._builder is not None:
            self._builder.end(_local(tag))
            if self._depth == self._report_depth:
                self.done.append((self._builder.close(), self._start_line))
                self._builder = None
        self._depth -= 1

    def data(self, text: str) -> None:
        if self._builder is not None:
            self._builder.data(text)

    def close(self) -> None:
        return None


def _convert(element: Element, index: int, line: int) -> PlatformReport | ReportProblem:
    tree = _XmlTree(element)
    try:
        return fields.report(tree)
    except FormatError as exc:
        return ReportProblem(f"report {index}, line {line}", exc.reason, fields.report_id_of(tree))


def read_reports(stream: BinaryIO, chunk: int = CHUNK) -> Iterator[PlatformReport | ReportProblem]:
    """Every report of an XML file, in order, or a ``ReportProblem`` for each bad one (and
    one for a file that holds no ``report`` element at the top two levels).

    ``stream`` is read in chunks of ``chunk`` bytes and never seeked, so it may be a pipe.
    """
    parser: DefusedXMLParser
    collector = _ReportCollector(lambda: int(parser.parser.CurrentLineNumber))
    parser = DefusedXMLParser(target=collector, forbid_dtd=True)
    index = 0
    while True:
        data = stream.read(chunk)
        failure: str | None = None
        try:
            if data:
                parser.feed(data)
            else:
                parser.close()
        except ParseError as exc:
            line, column = exc.position
            failure = f"line {line}, column {column}|the XML is not well formed ({exc})"
        except DefusedXmlException as exc:
            failure = f"line {parser.parser.CurrentLineNumber}|refused: {exc}"
        for element, line in collector.done:
            index += 1
            yield _convert(element, index, line)
        collector.done.clear()
        if failure is not None:
            position, _, reason = failure.partition("|")
            yield ReportProblem(position, reason + "; no further report was read")
            return
        if not data:
            if index == 0:
                yield ReportProblem("file", "no report element found")
            return


def _element(parent: Element | None, name: str, value: object) -> Element:
    node = Element(name) if parent is None else SubElement(parent, name)
    if isinstance(value, dict):
        attributes = ATTRIBUTES.get(name, frozenset())
        for key, item in value.items():
            if key in attributes:
                node.set(key, _scalar(item))
            elif key == "value":
                node.text = _scalar(item)
            elif isinstance(item, list):
                for part in item:
                    _element(node, key, part)
            elif item is True and name == "fileAnnotations":
                SubElement(node, key)
            else:
                _element(node, key, item)
    else:
        node.text = _scalar(value)
    return node


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_reports(reports: Iterable[PlatformReport]) -> Iterator[bytes]:
    """The XML document of ``reports`` (root ``reports``), in UTF-8 pieces, as
    ``read_reports`` reads it back."""
    yield b'<?xml version="1.0" encoding="UTF-8"?>\n<reports>\n'
    for item in reports:
        element = _element(None, "report", report_to_json(item))
        yield tostring(element, encoding="unicode").encode("utf-8") + b"\n"
    yield b"</reports>\n"
