"""Anonymous clients are throttled per address in the shared cache; X-Forwarded-For cannot dodge it."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/facilities/"


@pytest.fixture
def limit(settings):
    def set_limit(rate, proxies=0):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": rate}, "NUM_PROXIES": proxies,
        }

    return set_limit


def test_an_anonymous_client_is_throttled(api, limit):
    limit("3/minute")
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(URL)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_forged_forwarded_for_header_does_not_reset_the_count(api, limit):
    limit("2/minute")
    codes = [api.get(URL, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 429, 429]


def test_behind_a_proxy_only_the_address_it_added_counts(api, limit):
    limit("2/minute", proxies=1)
    # The proxy appends the real client address; whatever the client sent before it is ignored.
    codes = [api.get(URL, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.7").status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert api.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_staff_with_a_token_are_not_throttled(staff_api, limit):
    limit("1/minute")
    assert [staff_api.get(URL).status_code for _ in range(3)] == [200, 200, 200]


def test_a_429_says_when_to_come_back_and_where_the_bulk_data_is(api, limit):
    limit("1/minute")
    api.get(URL)
    response = api.get(URL)
    assert response.status_code == 429
    body = response.json()
    assert body["retry_after_seconds"] == int(response["Retry-After"]) > 0
    assert f"try again in {body['retry_after_seconds']} s" in body["detail"]
    assert body["limit"] == "1/minute"
    assert "/api/v1/report-versions/<id>/bundle/" in body["bulk_data"]


def test_the_default_limit_lets_a_script_page_a_year_of_hours_and_two_years_of_months(settings):
    """The arithmetic behind API_ANON_RATE's default, so that lowering it or the series page size
    below what a journalist's script needs fails here."""
    from impact.api.pagination import SeriesCursorPagination
    from portal.core.api.throttles import AnonymousThrottle

    allowed, period = AnonymousThrottle().parse_rate(settings.API_ANON_RATE)
    per_hour = allowed * 3600 / period
    year_pages = -(-8784 // SeriesCursorPagination.page_size)  # a leap year's hours, default page size
    months = 24 * (1 + -(-744 // SeriesCursorPagination.page_size))  # each version's detail and its hours
    assert year_pages + 2 <= per_hour, "a year's series (and the version list and detail) in one hour"
    assert months + 2 <= per_hour


def test_paging_a_published_series_by_its_next_links_finishes_under_the_default_limit(api, published):
    from impact.models import SeriesPoint

    total = SeriesPoint.objects.filter(run=published.run).count()
    url = f"/api/v1/series-points/?version={published.version.pk}&page_size=10"
    hours, pages = 0, 0
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content[:300]
        hours += len(response.json()["results"])
        url, pages = response.json()["next"], pages + 1
    assert total > 20 and hours == total and pages == -(-total // 10)
