"""The demo municipality: Livorno's facts, a plausible synthetic town, and working demo logins."""

from __future__ import annotations

import io
import statistics
from collections import defaultdict
from datetime import date, time

import pytest
from codicefiscale import codicefiscale
from django.core.management import call_command
from django.core.management.base import CommandError
from stdnum.it import codicefiscale as stdnum_codicefiscale

from sportello.accounts.demo import DEMO_USERS, demo_logins
from sportello.accounts.models import CredentialRequest, User
from sportello.accounts.roles import Role
from sportello.core.models import Helpline, Municipality, Office, OfficeKind, Weekday
from sportello.places.demo.town import coast_longitude, on_land
from sportello.places.models import CivicNumber, Street
from sportello.registry.demo.members import (
    TOWN_DATE,
    CodiceFiscaleEncoder,
    Member,
    age_on,
    livorno,
)
from sportello.registry.models import CivilStatus, Family, Person, Relationship, Sex

pytestmark = pytest.mark.django_db

CITIZENS = 300
YEAR = 365.2425


def build(seed: int = 7, *args: str, citizens: int = CITIZENS) -> str:
    out = io.StringIO()
    call_command("demo", "--citizens", str(citizens), "--seed", str(seed), *args, stdout=out)
    return out.getvalue()


def people_snapshot() -> list[tuple[str, str, str, str]]:
    return list(
        Person.objects.order_by("family__code", "codice_fiscale").values_list(
            "codice_fiscale", "first_name", "last_name", "residence__street__name"
        )
    )


def years_between(older: date, younger: date) -> float:
    return (younger - older).days / YEAR


@pytest.fixture
def town() -> str:
    return build()


def test_the_same_seed_gives_the_same_town_and_another_seed_another(town: str) -> None:
    first = people_snapshot()
    assert len(first) == CITIZENS

    build(7, "--reset")
    assert people_snapshot() == first

    build(8, "--reset")
    other = people_snapshot()
    assert len(other) == CITIZENS
    shared = {row[0] for row in first} & {row[0] for row in other}
    assert len(shared) < CITIZENS // 10


def test_every_codice_fiscale_is_valid_and_tells_the_persons_data(town: str) -> None:
    for person in Person.objects.all():
        code = person.codice_fiscale
        assert stdnum_codicefiscale.is_valid(code), code
        decoded = codicefiscale.decode(code)
        assert decoded["gender"] == person.sex
        born = decoded["birthdate"].date()
        # Two digits of the year: a person born in 1925 decodes as 2025.
        assert (born.year % 100, born.month, born.day) == (
            person.birth_date.year % 100,
            person.birth_date.month,
            person.birth_date.day,
        )
        assert decoded["birthplace"]["code"] == person.birth_place_code
        assert decoded["raw"]["lastname"] == codicefiscale.encode_lastname(person.last_name)
        assert decoded["raw"]["firstname"] == codicefiscale.encode_firstname(person.first_name)


def test_namesakes_get_omocodes_as_the_agenzia_delle_entrate_gives_them() -> None:
    encoder = CodiceFiscaleEncoder(set())
    twin = Member(
        "Mario", "Rossi", Sex.MALE, date(1980, 1, 1), livorno(), "IT", CivilStatus.MARRIED, "head"
    )
    codes = [encoder.encode(twin) for _ in range(8)]
    assert codes[0] == "RSSMRA80A01E625I"
    # Digits become letters from the right: the place's last digit first, then the next.
    assert [code[:15] for code in codes[1:3]] == ["RSSMRA80A01E62R", "RSSMRA80A01E6NR"]
    assert len(set(codes)) == 8
    for code in codes:
        assert stdnum_codicefiscale.is_valid(code)
        assert codicefiscale.decode(code)["birthplace"]["code"] == "E625"
    assert encoder.encode(twin) is None  # all eight taken: the caller changes the person


def test_households_are_plausible(town: str) -> None:
    families: dict[int, list[Person]] = defaultdict(list)
    for person in Person.objects.select_related("family"):
        families[person.family_id].append(person)
    assert len(families) == Family.objects.count()

    for members in families.values():
        heads = [m for m in members if m.relationship == Relationship.HEAD]
        assert len(heads) == 1
        head = heads[0]
        assert age_on(head.birth_date) >= 18
        assert len({(m.residence_id, m.residence_detail) for m in members}) == 1
        partners = [
            m
            for m in members
            if m.relationship in {Relationship.SPOUSE, Relationship.CIVIL_PARTNER}
        ]
        for partner in partners:
            assert abs(years_between(head.birth_date, partner.birth_date)) <= 13
            if partner.relationship == Relationship.SPOUSE:
                assert {head.sex, partner.sex} == {Sex.MALE, Sex.FEMALE}
                assert head.civil_status == partner.civil_status == CivilStatus.MARRIED
            else:
                assert head.sex == partner.sex
                assert head.civil_status == partner.civil_status == CivilStatus.CIVIL_UNION
        children = [m for m in members if m.relationship == Relationship.CHILD]
        for child in children:
            for parent in [head, *partners]:
                assert 18 <= years_between(parent.birth_date, child.birth_date) <= 45
            assert child.civil_status == CivilStatus.UNMARRIED
        assert len({child.last_name for child in children}) <= 1
        for elder in (m for m in members if m.relationship == Relationship.PARENT):
            assert 18 <= years_between(elder.birth_date, head.birth_date) <= 45

    ages = [age_on(born) for born in Person.objects.values_list("birth_date", flat=True)]
    assert 40 <= statistics.median(ages) <= 56
    assert max(ages) <= 101
    assert all(born <= TOWN_DATE for born in Person.objects.values_list("birth_date", flat=True))
    statuses = set(Person.objects.values_list("civil_status", flat=True))
    assert {CivilStatus.MARRIED, CivilStatus.UNMARRIED, CivilStatus.WIDOWED} <= statuses
    places = Person.objects.values_list("birth_place_code", flat=True)
    assert sum(code == "E625" for code in places) > len(places) / 2
    assert any(code.startswith("Z") for code in places)  # some born abroad


def test_streets_and_civic_numbers_lie_in_the_comune_on_land(town: str) -> None:
    livorno = Municipality.objects.get(istat_code="049009")
    assert Street.objects.count() >= 300
    assert Street.objects.filter(search_name="").count() == 0
    civics = list(CivicNumber.objects.all())
    assert len(civics) >= 300
    for civic in civics:
        assert livorno.contains(latitude=civic.latitude, longitude=civic.longitude), civic
        assert civic.longitude > coast_longitude(civic.latitude), civic
    assert any(civic.exponent for civic in civics)
    # Everyone lives at a civic number of the town, except those registered abroad (AIRE).
    assert Person.objects.filter(residence__isnull=True, aire=False).count() == 0
    # The offices of the seeds stand at real civic numbers of the demo.
    for full_name, number in [
        ("Piazza del Municipio", 1),
        ("Piazza Giuseppe Saragat", 1),
        ("Via Niccolò Machiavelli", 21),
    ]:
        street_type, name = full_name.split(" ", 1)
        assert CivicNumber.objects.filter(
            street__street_type=street_type, street__name=name, number=number
        ).exists()


def test_a_point_in_the_sea_is_moved_ashore() -> None:
    latitude, longitude = on_land(43.52, 10.25)
    assert longitude > coast_longitude(latitude)


def test_livorno_facts_are_configured(town: str) -> None:
    livorno = Municipality.objects.get()
    assert (livorno.name, livorno.cadastral_code, livorno.province) == (
        "Comune di Livorno",
        "E625",
        "LI",
    )
    assert livorno.pec_address == "comune.livorno@postacert.toscana.it"
    assert livorno.civil_protection_email == "protezionecivile@comune.livorno.it"
    # Kept in E.164, as providers need them (shown grouped: «0586 183 7510»).
    assert livorno.alert_caller_id == "+3905861837510"
    assert livorno.registration_request_line == livorno.deregistration_line == "+3905861837596"
    assert livorno.fax_sender == "+3905861845150"
    assert 43.43 <= livorno.min_latitude < 43.46 and 43.59 < livorno.max_latitude <= 43.62

    urp = Office.objects.get(kind=OfficeKind.URP)
    assert "Piazza del Municipio" in urp.address and urp.issues_credentials
    hours = {(p.weekday, p.opens, p.closes) for p in urp.opening_periods.all()}
    assert (Weekday.TUESDAY, time(15, 30), time(17, 30)) in hours
    assert (Weekday.MONDAY, time(9), time(13)) in hours
    assert not any(day == Weekday.MONDAY and opens.hour >= 14 for day, opens, _ in hours)
    centres = Office.objects.filter(kind=OfficeKind.SERVICE_CENTRE)
    assert sorted(c.address for c in centres) == [
        "Piazza Giuseppe Saragat 1",
        "Via Niccolò Machiavelli 21",
    ]
    assert all(c.opening_periods.count() == 7 for c in centres)
    assert Office.objects.filter(kind=OfficeKind.PROTOCOL, accepts_paper_forms=True).exists()

    helpline = Helpline.objects.get()
    assert (helpline.phone, helpline.toll_free) == ("800 168 593", True)
    assert helpline.opening_periods.count() == 5

    # Configuring again changes nothing.
    build(7, "--reset")
    assert Municipality.objects.count() == 1
    assert Office.objects.count() == 5
    assert urp.opening_periods.count() == 7


def test_demo_logins_work(town: str, client, settings) -> None:
    rows = demo_logins()
    assert [row.username for row in rows] == [spec.username for spec in DEMO_USERS]
    for row in rows:
        assert row.password == settings.SPORTELLO_DEMO_PASSWORD
        response = client.post("/accedi/", {"username": row.username, "password": row.password})
        assert response.status_code == 302, row.username
        backoffice = client.get("/backoffice/")
        # Operators reach the back-office; the citizen is sent to its login page.
        assert backoffice.status_code == (302 if row.username == "cittadino" else 200)
        client.logout()
    assert "cittadino" in town and settings.SPORTELLO_DEMO_PASSWORD in town

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.groups.filter(name=Role.ADMINISTRATOR).exists()
    clerk = User.objects.get(username="anagrafe")
    assert clerk.is_staff and clerk.has_perm("registry.change_person")

    citizen = User.objects.get(username="cittadino")
    assert not citizen.is_staff
    person = citizen.person
    assert person.relationship == Relationship.HEAD
    family = list(person.family.members.all())
    assert any(m.relationship == Relationship.SPOUSE for m in family)
    assert any(
        m.relationship == Relationship.CHILD and age_on(m.birth_date, date.today()) < 18
        for m in family
    )

    # Rebuilding the town relinks the citizen to the new family, once.
    build(7, "--reset")
    assert User.objects.filter(username__in=[s.username for s in DEMO_USERS]).count() == len(
        DEMO_USERS
    )
    assert User.objects.get(username="cittadino").person is not None


def test_if_empty_leaves_an_existing_registry_alone(town: str) -> None:
    before = people_snapshot()
    output = build(99, "--if-empty")
    assert "contiene già" in output
    assert people_snapshot() == before


def test_if_empty_builds_an_empty_registry() -> None:
    build(7, "--if-empty", citizens=20)
    assert Person.objects.count() == 20


def test_a_second_build_needs_reset(town: str) -> None:
    with pytest.raises(CommandError, match="--reset"):
        build()


def test_reset_removes_only_what_the_demo_created(town: str) -> None:
    own_street = Street.objects.create(street_type="Via", name="dei Test", search_name="via test")
    build(7, "--reset")
    assert Street.objects.filter(pk=own_street.pk).exists()

    # Someone entered by hand lives at a demo civic number: the demo is not removed under them.
    Person.objects.create(
        codice_fiscale="RSSMRA80A01E625I",
        first_name="Mario",
        last_name="Rossi",
        sex=Sex.MALE,
        birth_date=date(1980, 1, 1),
        birth_place="Livorno (LI)",
        birth_place_code="E625",
        civil_status=CivilStatus.UNMARRIED,
        residence=CivicNumber.objects.first(),
    )
    with pytest.raises(CommandError, match="non posso cancellarla"):
        build(7, "--reset")
    assert Person.objects.count() == CITIZENS + 1


def test_refuses_to_run_in_production(settings) -> None:
    settings.SPORTELLO_ENV = "production"
    with pytest.raises(CommandError, match="produzione"):
        build(citizens=10)
    assert Person.objects.count() == 0
    assert demo_logins() == []
    build(7, "--allow-production", citizens=10)
    assert Person.objects.count() == 10


def test_demo_queues_one_credential_request_for_the_counter(town: str, client, settings) -> None:
    password = settings.SPORTELLO_DEMO_PASSWORD
    assert (
        client.post("/accedi/", {"username": "sportello", "password": password}).status_code == 302
    )

    page = client.get("/operatori/richieste/").content.decode()

    assert page.count('href="/operatori/richieste/') == 1
    assert "Modulo online" in page
    call_command("demo", "--if-empty", stdout=io.StringIO())  # run again: still one
    assert CredentialRequest.objects.count() == 1
