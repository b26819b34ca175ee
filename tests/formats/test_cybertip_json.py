import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.domain.reports import PlatformReport, ReportProblem
from interlink.formats import cybertip, cybertip_json
from tests.formats.report_strategies import reports


def _read(document: object) -> list[PlatformReport | ReportProblem]:
    return list(cybertip_json.read_reports(io.BytesIO(json.dumps(document).encode())))


@settings(max_examples=25, deadline=None)
@given(st.lists(reports, min_size=1, max_size=3))
def test_written_reports_read_back_unchanged(items: list[PlatformReport]) -> None:
    data = b"".join(cybertip_json.write_reports(items))
    assert list(cybertip_json.read_reports(io.BytesIO(data))) == items


@settings(max_examples=15, deadline=None)
@given(st.lists(reports, min_size=1, max_size=2))
def test_json_and_xml_say_the_same(items: list[PlatformReport]) -> None:
    xml = b"".join(cybertip.write_reports(items))
    data = b"".join(cybertip_json.write_reports(items))
    assert list(cybertip.read_reports(io.BytesIO(xml))) == list(
        cybertip_json.read_reports(io.BytesIO(data))
    )


def test_a_top_level_array_and_single_objects_are_accepted() -> None:
    items = _read(
        [
            {
                "reportId": 12,
                "personOrUserReported": {
                    "espIdentifier": "a1",
                    "ipCaptureEvent": {"ipAddress": "203.0.113.9", "port": 443},
                    "estimatedLocation": {"verified": True, "countryCode": "nl"},
                },
                "fileDetails": {
                    "fileAnnotations": ["viral", "infant"],
                    "originalFileHash": {"hashType": "SHA-1", "value": "A" * 40},
                },
            }
        ]
    )
    (report,) = items
    assert isinstance(report, PlatformReport)
    assert report.report_id == "12"
    person = report.reported[0]
    assert person.ip_events[0].port == 443
    assert person.estimated_location is not None
    assert person.estimated_location.country_code == "NL"
    assert report.files[0].annotations == {"viral", "infant"}
    assert report.files[0].hashes[0].type == "sha1"
    assert report.files[0].hashes[0].value == "a" * 40


def test_a_bad_report_is_a_problem_and_the_others_are_kept() -> None:
    items = _read(
        {
            "reports": [
                {"reportId": "1"},
                "not an object",
                {"reportId": "3", "incidentSummary": {"incidentDateTime": "yesterday"}},
                {"reportId": "4"},
            ]
        }
    )
    kinds = [type(item).__name__ for item in items]
    assert kinds == ["PlatformReport", "ReportProblem", "ReportProblem", "PlatformReport"]
    third = items[2]
    assert isinstance(third, ReportProblem)
    assert third.position == "report 3" and third.report_id == "3"
    assert "ISO 8601" in third.reason


def test_broken_json_keeps_the_reports_before_it() -> None:
    data = b'{"reports": [{"reportId": "1"}, {"reportId": "2", "incidentSummary": {'
    items = list(cybertip_json.read_reports(io.BytesIO(data)))
    assert isinstance(items[0], PlatformReport)
    assert isinstance(items[-1], ReportProblem)
    assert "not well formed" in items[-1].reason


def test_a_file_without_reports_says_so() -> None:
    assert _read({"reports": []}) == [
        ReportProblem("file", "no report found (expected an array of reports)")
    ]
    problem = _read({"report": {"reportId": "1"}})[0]
    assert isinstance(problem, ReportProblem) and problem.position == "file"
