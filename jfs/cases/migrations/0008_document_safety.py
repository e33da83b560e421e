"""Documents that cannot attack the reader: the cleaned file's provenance and the malware scan.

Files stored before this migration were stored as they were uploaded, so their original
SHA-256 is the stored one; they were never cleaned (``cleaned`` false: not previewed inline)
nor scanned ("not_scanned").
"""

from django.db import migrations, models


def original_is_stored(apps, schema_editor):
    Document = apps.get_model("cases", "Document")
    Document.objects.filter(original_sha256="").update(original_sha256=models.F("sha256"))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_revision_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="document",
            name="size",
            field=models.PositiveIntegerField(help_text="bytes of the stored (cleaned) file"),
        ),
        migrations.AlterField(
            model_name="document",
            name="sha256",
            field=models.CharField(max_length=64, help_text="SHA-256 of the stored (cleaned) file"),
        ),
        migrations.AddField(
            model_name="document",
            name="original_sha256",
            field=models.CharField(
                blank=True, default="", help_text="SHA-256 of the file as it was uploaded", max_length=64
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="cleaned",
            field=models.BooleanField(
                default=False,
                help_text="the stored file is the cleaned one (false: kept as received, in quarantine or stored before cleaning)",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="sanitised",
            field=models.JSONField(
                blank=True, default=list, help_text="what was removed from the file (categories, never content)"
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="scan_status",
            field=models.CharField(
                choices=[
                    ("not_scanned", "ไม่ได้ตรวจไวรัส"),
                    ("clean", "ตรวจไวรัสแล้ว ไม่พบ"),
                    ("quarantined", "กักกันไว้ ไม่เปิดให้ดาวน์โหลด"),
                ],
                default="not_scanned",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="scan_reason",
            field=models.CharField(
                blank=True,
                default="",
                help_text='why it is quarantined: "malware found: <signature>" or "scanner unavailable"',
                max_length=200,
            ),
        ),
        migrations.RunPython(original_is_stored, migrations.RunPython.noop),
    ]
