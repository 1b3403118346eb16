"""The bare Django project of benchmarks/web.py: one view that answers "hello", DEBUG off.

Settings, URLconf and view in one module, with no apps, middleware, database or templates: the
most a Django process can serve on this machine, the yardstick the portal's pages are measured
against. Served by benchmarks/web.py as ``gunicorn --chdir benchmarks/bare wsgi:application``
under the same command line as the portal.
"""

import os

from django.http import HttpResponse
from django.urls import path

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "hello"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]
