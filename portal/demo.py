"""Demo units and accounts (the reference issue's units plus a few more).

``load_demo`` calls ``load(password=..., stdout=...)`` of every module in
``DEMO_MODULES`` in order; each is idempotent and returns the accounts it made.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy

from portal.accounts.models import OFFICE_GROUP
from portal.accounts.roles import AUDITOR, SECURITY_ADMIN, SYSTEM_ADMIN, ensure_role_groups
from portal.accounts.services import ensure_office_group
from portal.units.models import Unit

K = Unit.Kind

# (name, short name, kind, liaison, phone, mail box, ordering)
UNITS = [
    ("市人社局", "人社局", K.CITY, "李敏", "0518-85800001", "renshe", 10),
    ("市国资委", "国资委", K.CITY, "张伟", "0518-85800002", "guozi", 20),
    ("赣榆区委", "赣榆区", K.COUNTY, "王芳", "0518-86200001", "ganyu", 30),
    ("江苏新海石化有限公司", "新海石化", K.PILOT, "刘洋", "0518-82300001", "xinhai", 40),
    ("连云港港口集团", "港口集团", K.DIRECT, "陈静", "0518-82380001", "gangkou", 50),
    ("连云港市城建控股集团", "城建控股", K.DIRECT, "杨磊", "0518-85810001", "chengjian", 60),
    ("集团办公室", "办公室", K.DEPARTMENT, "赵丽", "0518-85820001", "bangongshi", 70),
    ("集团人力资源部", "人力资源部", K.DEPARTMENT, "黄强", "0518-85820002", "renli", 80),
    ("集团工会", "工会", K.DEPARTMENT, "周婷", "0518-85820003", "gonghui", 90),
]

# (username, full name, unit name or None for office staff)
ACCOUNTS = [
    ("office", "产改办 徐明", None),
    ("renshe", "李敏", "市人社局"),
    ("guozi", "张伟", "市国资委"),
    ("ganyu", "王芳", "赣榆区委"),
    ("xinhai", "刘洋", "江苏新海石化有限公司"),
    ("gangkou", "陈静", "连云港港口集团"),
]

# 三员分立 (portal/accounts/roles.py): (username, full name, role, what it is for)
ADMIN_ACCOUNTS = [
    ("sysadmin", "系统管理员 孙强", SYSTEM_ADMIN, gettext_lazy("系统管理员（账号与单位）")),
    ("secadmin", "安全管理员 周敏", SECURITY_ADMIN, gettext_lazy("安全管理员（锁定与会话）")),
    ("auditor", "审计管理员 吴静", AUDITOR, gettext_lazy("审计管理员（审计日志）")),
]

DEMO_PASSWORD = "demo-pass-2020"


@transaction.atomic
def load(*, password: str | None, stdout=None) -> list[tuple[str, str, str]]:
    ensure_office_group()
    units = {}
    for name, short, kind, liaison, phone, mailbox, ordering in UNITS:
        unit, _ = Unit.objects.update_or_create(
            name=name,
            defaults={
                "short_name": short,
                "kind": kind,
                "liaison": liaison,
                "phone": phone,
                "email": f"{mailbox}@example.cn",
                "ordering": ordering,
                "active": True,
            },
        )
        units[name] = unit
    User = get_user_model()
    office_group = Group.objects.get(name=OFFICE_GROUP)
    made = []
    for username, full_name, unit_name in ACCOUNTS:
        pw = password or DEMO_PASSWORD
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "last_name": full_name,
                "first_name": "",
                "email": f"{username}@example.cn",
                "unit": units.get(unit_name),
                "is_staff": unit_name is None,
                "is_active": True,
            },
        )
        user.set_password(pw)
        user.save(update_fields=["password"])
        if unit_name is None:
            user.groups.add(office_group)
        role = "产改办（管理后台）" if unit_name is None else unit_name
        made.append((username, pw, role))
    groups = ensure_role_groups()
    for username, full_name, group, role in ADMIN_ACCOUNTS:
        pw = password or DEMO_PASSWORD
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"last_name": full_name, "first_name": "", "unit": None, "is_staff": True},
        )
        user.set_password(pw)
        user.save(update_fields=["password"])
        user.groups.add(groups[group])
        made.append((username, pw, str(role)))
    return made
