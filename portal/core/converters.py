"""The ``<id:…>`` URL converter for database ids, registered for every urls.py.

An id in a URL is 1 to 18 digits, so every id a URL can name fits a 64-bit signed integer
(2**63 − 1 has 19 digits). A longer one matches no route and gets a 404 before any view or query
runs: SQLite raised OverflowError on 20 digits ("Python int too large to convert to SQLite
INTEGER") and PostgreSQL a DataError, both 500s (issue 11).
"""

from django.urls import register_converter

ID_REGEX = r"[0-9]{1,18}"


class DatabaseIdConverter:
    regex = ID_REGEX

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


# Registered once, here: Django refuses a second registration under the same name.
register_converter(DatabaseIdConverter, "id")
