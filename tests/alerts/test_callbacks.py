"""Phone requests: a caller on the registration-request line presses 1 and lands in the
operators' call-back queue; operators add requests taken by phone and mark them done."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.models import CallbackRequest, CallbackStatus


def call_line(step: str, digits: str = "", **extra: str) -> str:
    fields = {"numero": "0586 111222", "flow": "registration_request", "step": step}
    fields.update({"digits": digits, **extra})
    return Client().post("/simulatore-telefono/chiama/", fields).content.decode()


def test_press_1_on_the_line_to_be_called_back_once(town) -> None:
    assert "premi 1" in call_line("start")

    assert "ti richiamerà" in call_line("confirm", "1")
    call_line("confirm", "1")  # pressing again does not queue twice

    [request] = CallbackRequest.objects.all()
    assert (request.number, request.source, request.status) == ("+390586111222", "ivr", "pending")


def test_hidden_numbers_cannot_be_called_back(town) -> None:
    assert "Non vediamo il tuo numero" in call_line("start", hidden="1")
    assert not CallbackRequest.objects.exists()


def test_operators_see_the_queue_add_and_close_requests(town) -> None:
    call_line("confirm", "1")
    user = User.objects.create_user("pc", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    operator = Client()
    operator.force_login(user)

    operator.post(
        "/allerta/operatori/richiamate/", {"number": "333 222 1111", "name": "Sig. Gialli"}
    )
    page = operator.get("/allerta/operatori/richiamate/").content.decode()
    first = CallbackRequest.objects.get(number="+390586111222")
    operator.post("/allerta/operatori/richiamate/", {"done": first.pk, "note": "iscritto"})

    assert "+390586111222" in page and "Sig. Gialli" in page
    first.refresh_from_db()
    assert (first.status, first.handled_by, first.note) == (CallbackStatus.DONE, user, "iscritto")
    assert Client().get("/allerta/operatori/richiamate/").status_code == 302  # login first


def test_looking_at_the_queue_does_not_allow_changing_it(town) -> None:
    from django.contrib.auth.models import Permission

    call_line("confirm", "1")
    waiting = CallbackRequest.objects.get()
    user = User.objects.create_user("osservatore", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_callbackrequest"))
    viewer = Client()
    viewer.force_login(user)

    page = viewer.get("/allerta/operatori/richiamate/")
    close = viewer.post("/allerta/operatori/richiamate/", {"done": waiting.pk})
    add = viewer.post("/allerta/operatori/richiamate/", {"number": "333 222 1111"})

    assert page.status_code == 200
    assert close.status_code == add.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == CallbackStatus.PENDING
    assert CallbackRequest.objects.count() == 1
