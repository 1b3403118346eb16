"""WSGI entry point of the bare hello project (benchmarks/bare/hello.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "hello"
application = get_wsgi_application()
