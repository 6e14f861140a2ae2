"""URLs of the page benchmark: the portal's, plus the hello-world baseline page.

The baseline is a Django view rendering a 5 KB template (``bench/hello.html``)
through the same middleware, under the same gunicorn as the portal's pages: the
ceiling every page is measured against. Only the benchmark's settings
(``bench.pages_settings``) route to it.
"""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from portal.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


@require_safe
def hello(request):
    return render(request, "bench/hello.html", {"greeting": "你好，世界", "count": 20})


urlpatterns = [path("bench-hello/", hello, name="bench_hello"), *urlpatterns]
