"""Builders for the office-side bulletin tests (series, issues, articles)."""

import datetime as dt

import factory

from bulletins.models import Article, Issue, Series, Visibility


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ("name",)

    name = "市工投集团产业工人队伍建设改革简报"
    slug = factory.Sequence(lambda n: f"series-{n}")
    issuing_office = "工投集团公司产改领导小组办公室"
    distribution_line = "各直属单位、集团各部门"


class IssueFactory(factory.django.DjangoModelFactory):
    """A complete draft: number, dates, one article (``articles=0`` for none)."""

    class Meta:
        model = Issue
        skip_postgeneration_save = True

    series = factory.SubFactory(SeriesFactory)
    year = 2020
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"产改工作推进会议主要精神（{n}）")
    issue_date = dt.date(2020, 6, 2)
    printed_on = dt.date(2020, 6, 2)
    issuing_office = "工投集团公司产改领导小组办公室"
    distribution_line = "各直属单位、集团各部门"
    visibility = Visibility.PUBLIC

    @factory.post_generation
    def articles(self, create, extracted, **kwargs):
        count = 1 if extracted is None else extracted
        for i in range(count):
            Article.objects.create(
                issue=self, order=i + 1, title=f"文章{i + 1}", body="<p>会议指出。</p>"
            )

    @factory.post_generation
    def distribution(self, create, extracted, **kwargs):
        if extracted:
            self.distribution.set(extracted)
