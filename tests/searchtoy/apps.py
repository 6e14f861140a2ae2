from django.apps import AppConfig


class SearchToyConfig(AppConfig):
    """A test-only app with a searchable kind of its own (tests/search/test_registry.py).

    It registers its kind in the test that needs it (``toy_kind`` fixture) rather
    than in ``ready()``, so that the other tests' search pages do not offer it.
    """

    name = "tests.searchtoy"
    label = "searchtoy"
    default_auto_field = "django.db.models.BigAutoField"
