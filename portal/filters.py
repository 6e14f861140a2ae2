"""What the apps' filter sets share."""

import django_filters


class NarrowingFilterSet(django_filters.FilterSet):
    """A bound form with errors filters to nothing instead of ignoring the bad field."""

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            if self.is_bound and not self.is_valid():
                self._qs = self.queryset.none()
            else:
                self._qs = super().qs
        return self._qs
