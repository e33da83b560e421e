"""Phone numbers are stored in E.164 (+66812345678): convert the ones on file.

Applicants' phones (``cases.Person.phone``) and staff accounts' phones (``accounts.User.phone``)
were kept as typed digits (0812345678). Each one that reads as a valid Thai number (the
``phonenumbers`` library, region TH: what ``jfslib.thai_phone`` accepts today) becomes E.164;
any other is left exactly as it is and counted, for a person to correct through the
correction page (which then refuses it until it is a valid number). Only the format changes:
no version, revision or ``updated_at`` is touched. The logic is written out here rather than
imported, so that later changes to ``thai_phone`` do not change what this migration did.

Reverse: E.164 Thai numbers become national digits again (+66812345678 -> 0812345678).
"""

import phonenumbers
from django.db import migrations

BATCH = 1000


def _e164(raw):
    text = (raw or "").translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")).strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, "TH")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(number, "TH"):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _national(value):
    if value.startswith("+66") and value[3:].isdigit():
        return "0" + value[3:]
    return None


def _convert(model, convert):
    """Rewrite every phone ``convert`` can read; return (changed, left as they were)."""
    changed = left = 0
    batch = []
    for row in model.objects.exclude(phone="").only("pk", "phone").order_by("pk").iterator(chunk_size=BATCH):
        new = convert(row.phone)
        if new is None:
            left += 1
            continue
        if new != row.phone:
            row.phone = new
            batch.append(row)
            changed += 1
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, ["phone"])
            batch = []
    if batch:
        model.objects.bulk_update(batch, ["phone"])
    return changed, left


def _run(apps, convert, what):
    for label, model in (("applicants", apps.get_model("cases", "Person")), ("staff", apps.get_model("accounts", "User"))):
        changed, left = _convert(model, convert)
        if changed or left:
            print(f"\n  {label}: {changed} phone numbers {what}, {left} left as they were (not a valid Thai number)")


def to_e164(apps, schema_editor):
    _run(apps, _e164, "converted to E.164")


def to_national(apps, schema_editor):
    _run(apps, _national, "converted back to national digits")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_document_safety"),
    ]

    operations = [
        migrations.RunPython(to_e164, to_national, elidable=False),
    ]
