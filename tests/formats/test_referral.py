import json
from datetime import UTC, datetime

from interlink.formats.referral import FORMAT_VERSION, referral_html, referral_json
from interlink.network.referrals import Referral, ReferralAccount, ReferralNetwork

PACKAGE = Referral(
    country="DE",
    build_id="b1",
    created_at=datetime(2024, 7, 1, tzinfo=UTC),
    accounts=(
        ReferralAccount(
            key="chatly/1",
            label="<script>alert(1)</script>",
            identifiers=(("email", "x@example.org"),),
            basis="verified-location",
            basis_evidence=("r1",),
            reports=("r1", "r2"),
            media=4,
            known_media=2,
            categories=(("industry:A1", 2),),
            network="N1",
            capital=3.25,
            pagerank=0.1,
        ),
    ),
    networks=(
        ReferralNetwork(
            "N1", 5, 1, (("DE", 1), ("FR", 4)), 10, 6, 4, (("industry:A1", 6),), None, None
        ),
    ),
)


def test_json_is_plain_data_with_a_version() -> None:
    data = referral_json(PACKAGE)
    assert data["format_version"] == FORMAT_VERSION
    assert data["created_at"] == "2024-07-01T00:00:00+00:00"
    assert data["accounts"][0]["identifiers"] == [["email", "x@example.org"]]
    assert json.loads(json.dumps(data)) == data


def test_html_is_self_contained_escaped_and_shows_no_media() -> None:
    page = referral_html(PACKAGE)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "src=" not in page and "http" not in page
    assert "Referral package: DE" in page
    assert "N1" in page and "FR x4" in page and "industry:A1 x2" in page
