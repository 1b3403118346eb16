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
