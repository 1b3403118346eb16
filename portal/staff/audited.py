"""The admin's generic audit: the mixin every admin class gets from the staff site.

It captures each row as it was before a save, delete or admin action and as it is afterwards
(re-read from the database, so changes made through a service function count), and keeps only the
fields that differ. Where the admin calls a staff verb's service function, that function writes
the row (portal.audit.log); the mixin sees that the entrance already recorded something and
writes no second row.
"""

from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from portal.audit.log import MAX_ROWS_PER_ACTION, record, recorded, reread, snapshot
from portal.audit.models import StaffAction


class AuditedAdmin:
    """ModelAdmin mixin: every add, change, delete and admin action leaves a StaffAction row."""

    def save_model(self, request, obj, form, change):
        before = snapshot(reread(obj)) if change else None
        already = recorded()
        super().save_model(request, obj, form, change)
        if recorded() == already:  # a service function called by the save wrote its own row
            kind = StaffAction.Kind.CHANGE if change else StaffAction.Kind.ADD
            record(request.user, kind, obj, before, snapshot(reread(obj) or obj), request=request)

    def delete_model(self, request, obj):
        # Django clears the pk on delete: keep which row it was.
        before, label, pk = snapshot(obj), str(obj), obj.pk
        super().delete_model(request, obj)
        record(request.user, StaffAction.Kind.DELETE, None, before, None, request=request, model=self.model, object_id=pk, object_repr=label)

    def delete_queryset(self, request, queryset):
        rows = [(obj.pk, str(obj), snapshot(obj)) for obj in queryset[:MAX_ROWS_PER_ACTION]]
        super().delete_queryset(request, queryset)
        for pk, label, before in rows:
            record(request.user, StaffAction.Kind.DELETE, None, before, None, request=request, model=self.model, object_id=pk, object_repr=label)

    def save_formset(self, request, form, formset, change):
        # Inline rows: compare each existing row with the database after the save, so rows
        # changed through a service (not formset.save()) are logged too.
        before = {f.instance.pk: snapshot(reread(f.instance)) for f in formset.initial_forms if f.instance.pk}
        super().save_formset(request, form, formset, change)
        for pk, old in before.items():
            now = formset.model._default_manager.filter(pk=pk).first()
            if now is None:
                record(request.user, StaffAction.Kind.DELETE, None, old, None, request=request, model=formset.model, object_id=pk, object_repr="")
            elif snapshot(now) != old:
                record(request.user, StaffAction.Kind.CHANGE, now, old, snapshot(now), request=request)
        for obj in getattr(formset, "new_objects", []):
            record(request.user, StaffAction.Kind.ADD, obj, None, snapshot(obj), request=request)

    def response_action(self, request, queryset):
        already = recorded()
        name = request.POST.get("action", "")
        if request.POST.get("select_across") == "1":
            targets = queryset
        else:
            targets = queryset.filter(pk__in=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        before = {obj.pk: (obj, snapshot(obj)) for obj in targets[:MAX_ROWS_PER_ACTION]}
        response = super().response_action(request, queryset)
        finished = not isinstance(response, TemplateResponse)  # an intermediate page changes nothing yet
        if finished and before and recorded() == already:
            for obj, old in before.values():
                now = reread(obj)
                record(request.user, StaffAction.Kind.ACTION, now or obj, old, snapshot(now), name=name, request=request)
        return response
