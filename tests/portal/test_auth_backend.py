"""What every signed-in request reads before its page (portal/accounts/backends.py and
sessions.py): the user with their unit and the 产改办 test in one statement, permissions
in one, the session by a statement written once; each the same as Django's own reads,
for every persona, and sessions signed in before the portal's backend stay valid."""

from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts import sessions
from portal.accounts.backends import PortalBackend
from portal.accounts.roles import AUDITOR, SECURITY_ADMIN, SYSTEM_ADMIN, ensure_role_groups
from portal.accounts.sessions import SessionStore
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PORTAL = "portal.accounts.backends.PortalBackend"
DJANGO = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def everyone(user_a, office_user, other_staff, deactivated_user, db):
    """Every kind of account: unit user, office, staff outside it, each administrator
    role, a superuser, a staff user with a permission of their own as well as a
    group's, and a deactivated one."""
    roles = ensure_role_groups()
    people = [user_a, office_user, other_staff, deactivated_user]
    for role in (AUDITOR, SECURITY_ADMIN, SYSTEM_ADMIN):
        user = UserFactory(username=f"role-{len(people)}", is_staff=True, unit=None)
        user.groups.add(roles[role])
        people.append(user)
    people.append(UserFactory(username="root", is_staff=True, is_superuser=True, unit=None))
    mixed = UserFactory(username="mixed", is_staff=True, unit=None)
    mixed.groups.add(roles[AUDITOR])
    mixed.user_permissions.add(Permission.objects.get(codename="view_unit"))
    people.append(mixed)
    return people


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_user_is_read_with_unit_and_office_test_in_one_statement(
    everyone, django_assert_num_queries
):
    for person in everyone:
        expected = User.objects.get(pk=person.pk)
        if not expected.is_active:
            with django_assert_num_queries(1):
                assert PortalBackend().get_user(person.pk) is None
            continue
        with django_assert_num_queries(1):
            user = PortalBackend().get_user(person.pk)
            unit = user.unit
            office = user.is_office
        # The same values and types as the ORM reads (dates, booleans: SQLite converts).
        assert _fields(user) == _fields(expected)
        assert {k: type(v) for k, v in _fields(user).items()} == {
            k: type(v) for k, v in _fields(expected).items()
        }
        assert user._state.db == "default" and not user._state.adding
        assert office == expected.is_office
        if expected.unit_id is None:
            assert unit is None
        else:
            assert _fields(unit) == _fields(expected.unit)
    assert PortalBackend().get_user(10**9) is None


def test_permissions_are_djangos_in_one_statement(everyone, django_assert_num_queries):
    for person in everyone:
        ours, theirs = User.objects.get(pk=person.pk), User.objects.get(pk=person.pk)
        with django_assert_num_queries(0 if not person.is_active else 1):
            found = PortalBackend().get_all_permissions(ours)
        assert found == ModelBackend().get_all_permissions(theirs)
        with django_assert_num_queries(0):  # kept on the user, for either backend
            assert ModelBackend().get_all_permissions(ours) == found
            assert PortalBackend().get_all_permissions(ours) == found
    mixed = User.objects.get(username="mixed")
    assert {"units.view_unit", "audit.view_auditentry"} <= PortalBackend().get_all_permissions(
        mixed
    )
    assert PortalBackend().get_all_permissions(mixed, obj=mixed) == set()


def test_a_sign_in_is_recorded_with_the_portal_backend(user_a):
    client = Client()
    response = client.post("/accounts/login/", {"username": "renshe", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == PORTAL
    assert client.get("/tasks/").status_code == 200


def test_a_session_signed_in_through_djangos_backend_stays_valid(user_a, office_user):
    """Sessions made before the portal's backend name Django's: deploying it signs
    nobody out."""
    assert settings.AUTHENTICATION_BACKENDS.index(PORTAL) < settings.AUTHENTICATION_BACKENDS.index(
        DJANGO
    )
    for user, page in [(user_a, "/tasks/"), (office_user, "/tasks/overview/")]:
        client = Client()
        client.force_login(user, backend=DJANGO)
        assert client.session[BACKEND_SESSION_KEY] == DJANGO
        response = client.get(page)
        assert response.status_code == 200
        assert f'<span class="site-user__name">{user.display_name}' in response.content.decode()


def test_a_wrong_password_is_checked_once_and_counted_once(user_a):
    """The ModelBackend listed after the portal's is not asked to hash it again."""
    check = User.check_password
    with mock.patch.object(User, "check_password", autospec=True, side_effect=check) as spy:
        response = Client().post("/accounts/login/", {"username": "renshe", "password": "wrong"})
    assert response.status_code == 200
    assert spy.call_count == 1
    assert AccessAttempt.objects.get(username="renshe").failures_since_start == 1
    # An unknown name: the hasher runs once (ModelBackend's timing guard), nothing signs in.
    with mock.patch.object(
        User, "set_password", autospec=True, side_effect=User.set_password
    ) as spy:
        Client().post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert spy.call_count == 1


def test_inactive_accounts_cannot_sign_in(deactivated_user):
    client = Client()
    response = client.post("/accounts/login/", {"username": "departed", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="departed").failures_since_start == 1


# --- sessions ---------------------------------------------------------------------------


def test_the_session_engine_reads_djangos_rows_and_django_reads_its(user_a):
    assert settings.SESSION_ENGINE == "portal.accounts.sessions"
    theirs = DjangoStore()
    theirs["x"] = [1, "二"]
    theirs.create()
    theirs.save()
    assert SessionStore(theirs.session_key).load() == {"x": [1, "二"]}
    ours = SessionStore()
    ours["y"] = {"z": True}
    ours.save()
    assert DjangoStore(ours.session_key).load() == {"y": {"z": True}}


def test_an_expired_deleted_or_unknown_session_reads_as_empty(user_a):
    store = SessionStore()
    store["x"] = 1
    store.save()
    key = store.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    Session.objects.filter(session_key=key).delete()
    assert SessionStore(key).load() == {}
    assert SessionStore("x" * 32).load() == {}


def test_a_session_ended_by_signing_out_is_refused_afterwards(user_a):
    client = Client()
    client.post("/accounts/login/", {"username": "renshe", "password": PASSWORD})
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/tasks/").status_code == 302


# --- the session with its user, in one statement -----------------------------------------


def _statements(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured.captured_queries]


def _reading(table, statements):
    """The SELECTs of ``statements`` that read ``table``: naming it, or calling accounts
    0006's function, which reads the session, the user and the unit (PostgreSQL)."""
    return [
        sql
        for sql in statements
        if (f'"{table}"' in sql or "accounts_session_user(" in sql)
        and sql.lstrip().startswith("SELECT")
    ]


def test_a_signed_in_request_reads_the_session_and_its_user_in_one_statement(user_a, unit_a):
    client = Client()
    client.force_login(user_a)
    for _ in range(2):  # signing in taught the process whose session it is
        response, statements = _statements(client, "/accounts/keepalive/")
        assert response.status_code == 204
        assert response.wsgi_request.user == user_a
        assert response.wsgi_request.user.unit == unit_a
        user_reads = _reading(User._meta.db_table, statements)
        assert len(user_reads) == 1
        assert _reading(Session._meta.db_table, statements) == user_reads
    # the user and the unit come as the user's own statement gives them
    expected = PortalBackend().get_user(user_a.pk)
    assert _fields(response.wsgi_request.user) == _fields(expected)
    assert _fields(response.wsgi_request.user.unit) == _fields(expected.unit)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="accounts 0006's function")
def test_the_sessions_function_gives_the_statements_row(everyone, user_a, unit_a):
    """accounts_session_user (accounts 0006) answers what the statement it stands for
    answers, column for column: every kind of account, a unit, none, an unknown user,
    an expired, an unknown session."""
    from portal.accounts.backends import user_read

    users = user_read(connection)
    statement = sessions.statement_sql(Session, connection, users)
    function = sessions._select_sql(Session, connection, users)
    assert "accounts_session_user(" in function
    store = SessionStore()
    store["x"] = 1
    store.save()
    old = SessionStore()
    old.save()
    Session.objects.filter(session_key=old.session_key).update(expire_date=timezone.now())
    now = timezone.now()
    seen = []
    for key in (store.session_key, old.session_key, "x" * 32):
        for user_id in [person.pk for person in everyone] + [987_654_321]:
            group, pk = users.params(connection, user_id)
            with connection.cursor() as cursor:
                cursor.execute(statement, [group, pk, key, now])
                expected = cursor.fetchall()
                cursor.execute(function, [key, now, pk, group])
                assert cursor.fetchall() == expected, (key, user_id)
            seen.append(len(expected))
    assert seen.count(1) == len(everyone) + 1  # the live session's, once per user
    with connection.cursor() as cursor:
        group, pk = users.params(connection, user_a.pk)
        cursor.execute(function, [store.session_key, now, pk, group])
        read = users.user_of(cursor.fetchone()[1:], connection)
    assert _fields(read) == _fields(PortalBackend().get_user(user_a.pk)) and read.unit == unit_a


def test_the_user_read_with_the_session_is_the_rows_state_at_each_request(user_a, unit_b):
    client = Client()
    client.force_login(user_a)
    assert client.get("/tasks/").status_code == 200
    User.objects.filter(pk=user_a.pk).update(unit=unit_b)  # no save(), no signal
    assert client.get("/tasks/").wsgi_request.user.unit == unit_b
    User.objects.filter(pk=user_a.pk).update(is_active=False)
    assert client.get("/tasks/").status_code == 302
    assert not client.get("/accounts/keepalive/").wsgi_request.user.is_authenticated


@pytest.mark.parametrize("change", ["password", "session_token"])
def test_a_changed_password_or_token_ends_the_session_at_its_next_request(user_a, change):
    client = Client()
    client.force_login(user_a)
    assert client.get("/tasks/").status_code == 200
    User.objects.filter(pk=user_a.pk).update(**{change: "changed-behind-its-back"})
    assert client.get("/tasks/").status_code == 302


def test_the_user_read_with_the_session_is_taken_only_for_the_user_it_names(user_a, user_b):
    """What the process remembers of whose a session is only chooses what to read along;
    the user signed in is the one the session's verified data names."""
    client = Client()
    client.force_login(user_a)
    key = client.cookies["sessionid"].value
    sessions._owners[key] = user_b.pk  # as if wrongly remembered
    response, statements = _statements(client, "/accounts/keepalive/")
    assert response.wsgi_request.user == user_a
    assert len(_reading(User._meta.db_table, statements)) == 2  # user_b's along, user_a's own
    sessions._owners.pop(key, None)


def test_checked_session_data_is_read_again_alike_and_a_tampered_one_is_not(user_a):
    client = Client()
    client.force_login(user_a)
    key = client.cookies["sessionid"].value
    first = SessionStore(key).load()
    first["x"] = 1  # a request's changes stay its own
    again = SessionStore(key).load()
    assert "x" not in again and again == DjangoStore(key).load()
    data = Session.objects.get(session_key=key).session_data
    Session.objects.filter(session_key=key).update(session_data=data[:-2] + "xx")
    assert SessionStore(key).load() == {}
    assert client.get("/tasks/").status_code == 302


def test_the_session_rules_hold_under_a_script_prefix(user_a, settings):
    """The account pages a session may still reach, and the keep-alive, are recognised
    by ``path_info`` whatever prefix the portal is served under."""
    from django.urls import set_script_prefix

    from portal.accounts import middleware

    client = Client()
    client.force_login(user_a)
    User.objects.filter(pk=user_a.pk).update(must_change_password=True)
    for first in ("/", "/portal/"):  # the paths reversed first under either prefix
        middleware._reversed.clear()
        set_script_prefix(first)
        middleware.exempt_paths()
        set_script_prefix("/portal/")
        try:
            page = client.get("/accounts/password/", SCRIPT_NAME="/portal")
            other = client.get("/tasks/", SCRIPT_NAME="/portal")
        finally:
            set_script_prefix("/")
        assert page.status_code == 200
        assert (other.status_code, other["Location"]) == (302, "/portal/accounts/password/")
    middleware._reversed.clear()


def test_users_and_units_are_made_as_from_db_makes_them(everyone, unit_a):
    from django.db.models.signals import post_init

    from portal.accounts.backends import _maker

    def row(obj):
        names = [f.attname for f in type(obj)._meta.concrete_fields]
        return names, [getattr(obj, name) for name in names]

    for obj in [*everyone, unit_a]:
        model = type(obj)
        made, expected = _maker(model)("default", *row(obj)), model.from_db("default", *row(obj))
        assert type(made) is model and made == expected
        assert _fields(made) == _fields(expected)
        assert (made._state.adding, made._state.db) == (False, "default")
        assert made.__dict__.keys() == expected.__dict__.keys()

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=User)
    try:  # something listens to a user's making: Django's own way, signal included
        made = _maker(User)("default", *row(everyone[0]))
    finally:
        post_init.disconnect(listener, sender=User)
    assert seen == [made]


def _fresh_permissions(user_id):
    """The permissions of a user read as a request reads them, and Django's own."""
    ours = PortalBackend().get_user(user_id)
    return PortalBackend().get_all_permissions(ours), ModelBackend().get_all_permissions(
        User.objects.get(pk=user_id)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stamp is PostgreSQL's")
@pytest.mark.parametrize(
    "change",
    [
        # each through raw SQL: no signal, only the tables' triggers (accounts 0005)
        "INSERT INTO accounts_user_user_permissions (user_id, permission_id)"
        " SELECT {user}, id FROM auth_permission WHERE codename = 'manage_security'",
        "INSERT INTO auth_group_permissions (group_id, permission_id)"
        " SELECT {group}, id FROM auth_permission WHERE codename = 'manage_security'",
        "DELETE FROM accounts_user_groups WHERE user_id = {user}",
        "UPDATE auth_permission SET codename = 'seen_auditentry'"
        " WHERE codename = 'view_auditentry'",
        "UPDATE django_content_type SET app_label = 'audit_log' WHERE app_label = 'audit'",
        # (deferred foreign keys checked first: TRUNCATE refuses pending checks)
        "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE accounts_user_user_permissions",
    ],
)
def test_permission_sets_are_kept_under_the_tables_stamp_and_read_again_on_a_change(
    change, django_assert_num_queries
):
    roles = ensure_role_groups()
    auditor = UserFactory(username="auditor", is_staff=True, unit=None)
    auditor.groups.add(roles[AUDITOR])
    auditor.user_permissions.add(Permission.objects.get(codename="view_unit"))
    ours, django = _fresh_permissions(auditor.pk)
    assert ours == django and "audit.view_auditentry" in ours
    # A user read again at the same stamp: the set without a statement, a copy of its own.
    with django_assert_num_queries(1):  # the user
        user = PortalBackend().get_user(auditor.pk)
        kept = PortalBackend().get_all_permissions(user)
    assert kept == ours and kept is not ours
    assert user.has_perm("audit.view_auditentry")
    with connection.cursor() as cursor:
        cursor.execute(change.format(user=auditor.pk, group=roles[AUDITOR].pk))
    with django_assert_num_queries(2):  # the user, then the permissions again
        ours = PortalBackend().get_all_permissions(PortalBackend().get_user(auditor.pk))
    assert ours == ModelBackend().get_all_permissions(User.objects.get(pk=auditor.pk))
    assert ours != kept


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stamp is PostgreSQL's")
def test_a_change_through_the_orm_is_seen_by_a_user_read_before_it(office_user):
    """A request that changes permissions and then asks them, with the stamp its user
    was read at: this process's own changes forget the kept sets."""
    PortalBackend().get_all_permissions(PortalBackend().get_user(office_user.pk))  # kept
    user = PortalBackend().get_user(office_user.pk)  # read at that stamp, not yet asked
    office_user.user_permissions.add(Permission.objects.get(codename="manage_security"))
    assert user.has_perm("accounts.manage_security")
    assert user.has_perm("accounts.manage_security") == User.objects.get(
        pk=office_user.pk
    ).has_perm("accounts.manage_security")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stamp is PostgreSQL's")
def test_a_superusers_and_an_inactive_users_permissions_are_djangos(everyone):
    for person in everyone:
        for _ in range(2):  # read, then kept
            user = PortalBackend().get_user(person.pk)
            expected = ModelBackend().get_all_permissions(User.objects.get(pk=person.pk))
            if user is None:  # inactive: not signed in, and no permission
                assert expected == set()
                continue
            assert PortalBackend().get_all_permissions(user) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stamp is PostgreSQL's")
def test_without_the_stamps_row_permissions_are_read_every_time(
    office_user, django_assert_num_queries
):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_permission_stamp")
    expected = ModelBackend().get_all_permissions(User.objects.get(pk=office_user.pk))
    for _ in range(2):
        with django_assert_num_queries(2):  # the user, the permissions
            user = PortalBackend().get_user(office_user.pk)
            assert PortalBackend().get_all_permissions(user) == expected
        assert user._permission_stamp is None
    # A change writes the row again.
    office_user.groups.clear()
    user = PortalBackend().get_user(office_user.pk)
    assert user._permission_stamp is not None
    assert PortalBackend().get_all_permissions(user) == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stamp is PostgreSQL's")
def test_a_user_without_an_id_neither_keeps_nor_takes_a_kept_set(everyone, office_user):
    """Found by the review: the superuser's sets were kept under the owner None, which
    is also the id of an unsaved user and of one deleted in this request."""
    superuser = next(person for person in everyone if person.is_superuser and person.is_active)
    stamped = PortalBackend().get_user(office_user.pk)
    stamp = stamped._permission_stamp
    unsaved = User(username="nobody-yet", is_active=True)
    unsaved._permission_stamp = stamp
    assert PortalBackend().get_all_permissions(unsaved) == set()
    admin = PortalBackend().get_user(superuser.pk)
    assert PortalBackend().get_all_permissions(admin) == ModelBackend().get_all_permissions(
        User.objects.get(pk=superuser.pk)
    )
    assert len(PortalBackend().get_all_permissions(admin)) > 100
    # The other way round: a user deleted in this request, its stamp still on it.
    gone = PortalBackend().get_user(office_user.pk)
    gone.delete()
    assert gone.pk is None
    assert PortalBackend().get_all_permissions(gone) == set()
    assert not gone.has_perm("accounts.manage_security")
