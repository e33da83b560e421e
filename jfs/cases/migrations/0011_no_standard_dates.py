"""Requests of a service the 21-working-day standard does not apply to (``standard_applies: false``
in its services/<CODE>/service.yaml: project grants and consultations) lose the whole-request due
date and on-time verdict they were given before that flag was honoured; their steps' own due dates
stay. Otherwise an open one would still count as overdue by its old 21-day date."""

from django.db import migrations


def clear(apps, schema_editor):
    from jfs.cases import service_registry  # noqa: PLC0415 - the registry as it stands when this runs

    without = [code for code, svc in service_registry.all_services().items() if not svc.standard_applies]
    Request = apps.get_model("cases", "Request")
    Request.objects.filter(service__in=without).update(due_on=None, on_time=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_service_from_registry")]
    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
