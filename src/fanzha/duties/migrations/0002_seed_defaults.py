"""Load the seeds' default duties (editable by the office afterwards)."""

from django.db import migrations


def load(apps, schema_editor):
    from fanzha.duties.seeds import load_defaults

    load_defaults(apps.get_model("duties", "Duty"))


class Migration(migrations.Migration):
    dependencies = [("duties", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
