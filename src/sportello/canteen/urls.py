from django.urls import path

from sportello.canteen import operator_views, views

app_name = "canteen"

urlpatterns = [
    path("mensa/", views.home, name="home"),
    path("mensa/servizio/", views.service, name="service"),
    path("mensa/iscrizione/", views.enrolment_start, name="enrolment_start"),
    path("mensa/iscrizione/<int:pk>/dati/", views.enrolment_edit, name="enrolment_edit"),
    path("mensa/iscrizione/<int:pk>/riepilogo/", views.enrolment_summary, name="enrolment_summary"),
    path("mensa/iscrizione/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("mensa/iscrizione/<int:pk>/ritira/", views.enrolment_withdraw, name="enrolment_withdraw"),
    path("mensa/credito/<int:pk>/", views.account_detail, name="account"),
    path("mensa/credito/<int:pk>/ricarica/", views.top_up, name="top_up"),
    path("mensa/credito/<int:pk>/assenze/", views.absence, name="absence"),
    path("mensa/credito/<int:pk>/attestazione/<int:year>/", views.statement, name="statement"),
    path("operatori/mensa/", operator_views.enrolments, name="office"),
    path("operatori/mensa/iscrizione/<int:pk>/", operator_views.enrolment, name="office_enrolment"),
    path("operatori/mensa/cucina/", operator_views.kitchen, name="kitchen"),
    path("operatori/mensa/giornata/", operator_views.day_run, name="day_run"),
    path("operatori/mensa/assenze/", operator_views.absence, name="office_absence"),
]
