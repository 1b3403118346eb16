"""Site-wide request hygiene."""


class DropMalformedCookiesMiddleware:
    """Forget cookies whose value holds a NUL byte before anything reads them.

    PostgreSQL text cannot hold NUL, so a forged session cookie such as "abc\\x00" made the
    session lookup raise a DataError (a 500) instead of treating the visitor as signed out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = [name for name, value in request.COOKIES.items() if "\x00" in name or "\x00" in value]
        for name in bad:
            del request.COOKIES[name]
        return self.get_response(request)
