"""Requests a forger could send must not crash the site."""

import pytest


@pytest.mark.parametrize("url", ["/", "/reports/", "/api/v1/facilities/"])
def test_a_session_cookie_with_a_nul_byte_is_treated_as_signed_out_not_a_server_error(db, client, url):
    response = client.get(url, HTTP_COOKIE="sessionid=abcdefgh\x00ijklmnopqrstuvwxyz")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
