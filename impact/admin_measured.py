"""Measured data in the staff console: an upload page (the dataset's add page) that calls
services.import_measured and lists every error of a refused file as row, column and reason.
Datasets are never edited or deleted here: a corrected file supersedes one."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from impact import services
from impact.forms import MeasuredUploadForm
from impact.measured import MeasuredDataError
from impact.models import MeasuredDataset


@admin.register(MeasuredDataset)
class MeasuredDatasetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "facility", "kind", "period_key", "row_count", "status", "superseded", "uploaded_by", "uploaded_at")
    list_filter = ("facility", "kind", "status", "superseded")
    search_fields = ("file_name", "sha256")
    readonly_fields = [f.name for f in MeasuredDataset._meta.concrete_fields]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MeasuredUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                dataset, created = services.import_measured(
                    data["facility"], data["kind"], data["file"], user=request.user, source=data["source"],
                    status=data["status"], period=data["period"], supersedes=data["supersedes"], reason=data["reason"],
                )
            except services.NotPermitted as exc:
                raise PermissionDenied(str(exc)) from None
            except MeasuredDataError as exc:
                errors = exc.errors
            else:
                if created:
                    self.message_user(request, f"Imported {dataset.row_count} rows from {dataset.file_name}.")
                else:
                    self.message_user(request, f"{dataset.file_name} was already imported as {dataset}; nothing changed.", messages.WARNING)
                return redirect("admin:impact_measureddataset_change", dataset.pk)
        return TemplateResponse(request, "admin/impact/measureddataset/upload.html", {
            **self.admin_site.each_context(request),
            "title": "Upload measured data",
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
        }, status=400 if errors else 200)
