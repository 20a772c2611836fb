"""Document copies (under i18n_patterns, at /documenti/)."""

from django.urls import path

from sportello.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.my_documents, name="my_documents"),
    path("<int:pk>/scarica/", views.download, name="download"),
    path("ufficio/<int:pk>/scarica/", views.backoffice_download, name="backoffice_download"),
]
