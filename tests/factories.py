"""factory_boy factories shared by the test suite."""

import factory
from django.contrib.auth import get_user_model

from portal.units.models import Unit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    kind = Unit.Kind.DIRECT
    liaison = "联络员"
    email = factory.Sequence(lambda n: f"unit{n}@example.cn")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    unit = factory.SubFactory(UnitFactory)
    is_staff = False

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "test-pass-123")
        if create:
            self.save(update_fields=["password"])
