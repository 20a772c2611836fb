"""«I miei documenti» for certified citizens, and the downloads (citizens' and the registry
office's). A copy someone may not have is answered with 404, as if it did not exist."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from sportello.core.decorators import certified_required, operator_required
from sportello.documents.models import DocumentCopy
from sportello.documents.selectors import document_copies_by_person, document_copy_get_visible
from sportello.documents.services import document_copy_hand_out

_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def download_filename(copy: DocumentCopy) -> str:
    """«carta-d-identita-rossi-mario.pdf»: ASCII only, nothing a browser could misread."""
    label = f"{copy.get_kind_display()} {copy.person.last_name} {copy.person.first_name}"
    stem = slugify(label.replace("'", " ").replace("’", " "))[:80] or "documento"
    return stem + _EXTENSIONS.get(copy.content_type, "")


def _file_response(copy: DocumentCopy, request: HttpRequest, *, channel: str) -> FileResponse:
    response = FileResponse(
        document_copy_hand_out(copy=copy, request=request, channel=channel),
        as_attachment=True,
        filename=download_filename(copy),
        content_type=copy.content_type,
    )
    response.setdefault("Content-Length", str(copy.size))
    return response


@certified_required
@never_cache
def my_documents(request: HttpRequest) -> HttpResponse:
    groups = document_copies_by_person(person=request.user.person)
    return render(request, "documents/my_documents.html", {"groups": groups})


@certified_required
@never_cache
def download(request: HttpRequest, pk: int) -> FileResponse:
    copy = document_copy_get_visible(person=request.user.person, pk=pk)
    if copy is None:
        raise Http404
    return _file_response(copy, request, channel="web")


@operator_required("documents.view_documentcopy")
@never_cache
def backoffice_download(request: HttpRequest, pk: int) -> FileResponse:
    """A registry clerk opens a copy from the back-office."""
    copy = get_object_or_404(DocumentCopy.objects.select_related("person"), pk=pk)
    return _file_response(copy, request, channel="backoffice")
