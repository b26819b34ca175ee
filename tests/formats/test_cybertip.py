import io

from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.domain.categories import Category
from interlink.domain.reports import EventName, PlatformReport, ReportProblem
from interlink.formats import cybertip
from tests.formats.report_strategies import reports

MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def _read(xml: str, chunk: int = cybertip.CHUNK) -> list[PlatformReport | ReportProblem]:
    return list(cybertip.read_reports(io.BytesIO(xml.encode("utf-8")), chunk))


@settings(max_examples=25, deadline=None)
@given(st.lists(reports, min_size=1, max_size=3), st.sampled_from([5, 64, cybertip.CHUNK]))
def test_written_reports_read_back_unchanged(items: list[PlatformReport], chunk: int) -> None:
    data = b"".join(cybertip.write_reports(items))
    assert list(cybertip.read_reports(io.BytesIO(data), chunk)) == items


SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<reports xmlns="https://report.cybertip.org/ispws/xsd">
  <report>
    <reportId>5001</reportId>
    <incidentSummary>
      <incidentType>Child Pornography (possession, manufacture, and distribution)</incidentType>
      <incidentDateTime>2024-05-01T10:00:00-04:00</incidentDateTime>
    </incidentSummary>
    <personOrUserReported>
      <personOrUserReportedPerson>
        <email verified="true">Someone@Example.org</email>
        <phone countryCallingCode="+49">030 1234567</phone>
      </personOrUserReportedPerson>
      <espIdentifier>88812</espIdentifier>
      <espService>Chatly</espService>
      <screenName>alpha</screenName>
      <ipCaptureEvent>
        <ipAddress>::ffff:198.51.100.7</ipAddress>
        <eventName>upload</eventName>
        <dateTime>2024-05-01T09:59:00Z</dateTime>
        <possibleProxy>false</possibleProxy>
        <port>5222</port>
      </ipCaptureEvent>
      <deviceId><idType>IMEI</idType><idValue>35-209900-176148-1</idValue></deviceId>
      <priorCTReports>4242</priorCTReports>
      <groupIdentifier>room-9</groupIdentifier>
      <estimatedLocation verified="true"><countryCode>de</countryCode></estimatedLocation>
    </personOrUserReported>
    <intendedRecipient><espIdentifier>99</espIdentifier><espService>Chatly</espService></intendedRecipient>
    <fileDetails>
      <fileId>f-1</fileId>
      <fileAnnotations><viral/><generativeAi/></fileAnnotations>
      <industryClassification>b1</industryClassification>
      <originalFileHash hashType="MD5">D41D8CD98F00B204E9800998ECF8427E</originalFileHash>
      <originalFileHash hashType="PhotoDNA-v2">opaque</originalFileHash>
    </fileDetails>
  </report>
  <report><reportId>5002</reportId>
    <personOrUserReported><espIdentifier>1</espIdentifier>
      <ipCaptureEvent><ipAddress>300.1.1.1</ipAddress></ipCaptureEvent>
    </personOrUserReported>
  </report>
  <report><reportId>5003</reportId></report>
</reports>
"""


def test_reads_the_schema_elements_and_normalises_values() -> None:
    first, second, third = _read(SAMPLE)
    assert isinstance(first, PlatformReport)
    assert first.report_id == "5001"
    assert first.incident_time is not None and first.incident_time.hour == 14
    person = first.reported[0]
    assert person.emails == ("Someone@Example.org",)
    assert person.phones == ("+49 030 1234567",)
    event = person.ip_events[0]
    assert (event.ip_address, event.event_name, event.port) == (
        "198.51.100.7",
        EventName.UPLOAD,
        5222,
    )
    assert person.device_ids[0].id_type == "IMEI"
    assert person.prior_reports == ("4242",)
    assert person.group_identifier == "room-9"
    assert person.estimated_location is not None
    assert (person.estimated_location.country_code, person.estimated_location.verified) == (
        "DE",
        True,
    )
    assert first.recipients[0].esp_identifier == "99"
    detail = first.files[0]
    assert detail.hashes[0].value == MD5
    assert detail.other_hashes == (("PhotoDNA-v2", "opaque"),)
    assert detail.classification == Category("industry", "B1")
    assert detail.annotations == {"viral", "generativeAi"}
    assert detail.viral
    assert isinstance(second, ReportProblem)
    assert second.report_id == "5002"
    assert "not an IP address" in second.reason
    assert second.position.startswith("report 2, line ")
    assert isinstance(third, PlatformReport) and third.report_id == "5003"


def test_a_bad_report_is_a_problem_and_the_others_are_kept() -> None:
    xml = (
        "<reports><report><reportId>1</reportId></report>"
        "<report><fileDetails><originalFileHash hashType='md5'>xyz</originalFileHash>"
        "</fileDetails><reportId>2</reportId></report>\n"
        "<report></report>\n"
        "<report><reportId>4</reportId><fileDetails><fileAnnotations><dancing/>"
        "</fileAnnotations></fileDetails></report>"
        "<report><reportId>5</reportId></report></reports>"
    )
    items = _read(xml)
    assert [type(item).__name__ for item in items] == [
        "PlatformReport",
        "ReportProblem",
        "ReportProblem",
        "ReportProblem",
        "PlatformReport",
    ]
    problems = [item for item in items if isinstance(item, ReportProblem)]
    assert "md5" in problems[0].reason
    assert problems[1].reason == "the report has no reportId"
    assert problems[1].position == "report 3, line 2"
    assert "dancing" in problems[2].reason


def test_xml_that_breaks_off_keeps_every_report_before_the_break() -> None:
    xml = "<reports>\n<report><reportId>1</reportId></report>\n<report><reportId>2</rep"
    items = _read(xml, chunk=16)
    assert isinstance(items[0], PlatformReport)
    assert isinstance(items[1], ReportProblem)
    assert "not well formed" in items[1].reason
    assert len(items) == 2


def test_a_dtd_is_refused_so_no_entity_can_expand() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE reports [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<reports><report><reportId>&b;</reportId></report></reports>"
    )
    items = _read(bomb)
    assert len(items) == 1
    assert isinstance(items[0], ReportProblem)
    assert "refused" in items[0].reason


def test_a_lone_report_root_is_accepted() -> None:
    items = _read("<report id='77'><incidentSummary/></report>")
    assert items == [PlatformReport(report_id="77")]


def test_an_empty_file_is_one_problem() -> None:
    items = _read("")
    assert len(items) == 1 and isinstance(items[0], ReportProblem)


def test_a_file_without_reports_says_so() -> None:
    items = _read("<envelope><batch><report><reportId>1</reportId></report></batch></envelope>")
    assert items == [ReportProblem("file", "no report element found")]
    assert list(cybertip.read_reports(io.BytesIO(b"".join(cybertip.write_reports([]))))) == [
        ReportProblem("file", "no report element found")
    ]
