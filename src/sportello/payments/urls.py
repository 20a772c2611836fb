"""Payment pages: the citizen's (under /pagamenti/), the simulator's checkout, the operators'."""

from django.urls import path

from sportello.payments import operator_views, simulator_views, views

app_name = "payments"
urlpatterns = [
    path("pagamenti/", views.home, name="home"),
    path("pagamenti/riepilogo/", views.summary, name="summary"),
    path("pagamenti/esito/<uuid:cart_uuid>/stato/", views.cart_status, name="cart_status"),
    path("pagamenti/esito/<uuid:cart_uuid>/<str:outcome>/", views.cart_return, name="cart_return"),
    path("pagamenti/avviso/<str:iupd>/", views.notice_download, name="notice"),
    path("pagamenti/ricevuta/<int:pk>/", views.receipt_download, name="receipt"),
    path(
        "pagamenti/simulatore-pagopa/<uuid:cart_uuid>/",
        simulator_views.checkout,
        name="simulator_checkout",
    ),
    path("operatori/pagamenti/", operator_views.position_list, name="operator_list"),
    path("operatori/pagamenti/esporta/", operator_views.position_export, name="operator_export"),
    path("operatori/pagamenti/anomalie/", operator_views.anomaly_list, name="operator_anomalies"),
    path(
        "operatori/pagamenti/anomalie/<int:pk>/chiudi/",
        operator_views.anomaly_resolve,
        name="operator_anomaly_resolve",
    ),
    path("operatori/pagamenti/<int:pk>/", operator_views.position_detail, name="operator_detail"),
    path(
        "operatori/pagamenti/<int:pk>/annulla/",
        operator_views.position_invalidate,
        name="operator_invalidate",
    ),
    path(
        "operatori/pagamenti/<int:pk>/pagamento/",
        operator_views.position_pay_offline,
        name="operator_pay_offline",
    ),
]
