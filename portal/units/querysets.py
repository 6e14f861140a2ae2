"""The visibility rule of rows that belong to one unit (a ``unit`` foreign key)."""

from django.db import models

from portal.accounts.models import acting_unit_id, is_office


class UnitOwnedQuerySet(models.QuerySet):
    """Base of the querysets of unit-owned rows: assignments, problems, assessments,
    read receipts."""

    def visible_to(self, user):
        """Office (产改办): every row; a user acting for a unit (``acting_unit_id``): that
        unit's rows; anyone else (anonymous, staff outside the office): none."""
        if is_office(user):
            return self.all()
        unit_id = acting_unit_id(user)
        if unit_id is None:
            return self.none()
        return self.filter(unit_id=unit_id)
