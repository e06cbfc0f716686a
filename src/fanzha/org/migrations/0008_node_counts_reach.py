from django.db import migrations, models


def fill(apps, schema_editor):
    """Count every node again, the outreach figures with the head counts (fanzha.org.counts.recount_all on
    the historical models)."""
    from fanzha.org.counts import recount_all

    m = {name: apps.get_model("org", name) for name in ("Resident", "Household", "Unit", "StaffMember", "Node", "NodeCounts")}
    m.update({name: apps.get_model("outreach", name) for name in ("InstallStatus", "VisitYear")})
    recount_all(m)


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0007_resident_name_keys'),
        ('outreach', '0003_plan_targets'),
    ]

    operations = [
        migrations.AddField(model_name='nodecounts', name='app', field=models.IntegerField(default=0)),
        migrations.AddField(model_name='nodecounts', name='call_warning', field=models.IntegerField(default=0)),
        migrations.AddField(model_name='nodecounts', name='jinzhongzhao', field=models.IntegerField(default=0)),
        migrations.AddField(model_name='nodecounts', name='visited', field=models.IntegerField(default=0)),
        migrations.AddField(model_name='nodecounts', name='visit_year', field=models.PositiveSmallIntegerField(default=0)),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
