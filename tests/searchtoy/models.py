"""A notice board: a model the search app has never heard of."""

from django.db import models


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Signed-in members see every notice; everyone else the public ones."""
        if user is not None and user.is_authenticated and user.is_active:
            return self.all()
        return self.filter(public=True)


class Board(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class Notice(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="notices")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    posted_on = models.DateField()

    objects = NoticeQuerySet.as_manager()

    def __str__(self):
        return self.title


class Note(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="notes")
    text = models.CharField(max_length=200)

    def __str__(self):
        return self.text
