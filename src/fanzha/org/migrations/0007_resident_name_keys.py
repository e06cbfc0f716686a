from django.db import migrations, models

import fanzha.core.names

BATCH = 5000


def fill_name_keys(apps, schema_editor):
    """Given name and pinyin initials of the residents already stored (fanzha.core.names), by key ranges."""
    from fanzha.core.names import name_keys

    Resident = apps.get_model("org", "Resident")
    conn = schema_editor.connection
    qn = conn.ops.quote_name
    sql = (f"UPDATE {qn(Resident._meta.db_table)} SET {qn('name_given')} = %s, {qn('name_initials')} = %s "
           f"WHERE {qn('id')} = %s")
    rows = Resident.objects.using(conn.alias).order_by("id").values_list("id", "name")
    last = 0
    with conn.cursor() as cur:
        while True:  # by key ranges: never update the table under an open read of it
            chunk = list(rows.filter(id__gt=last)[:BATCH])
            if not chunk:
                break
            cur.executemany(sql, [(*name_keys(name), pk) for pk, name in chunk])
            last = chunk[-1][0]


def refresh_statistics(apps, schema_editor):
    """The planner's statistics cover the new indexes (SQLite has none until asked: see 0004)."""
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cur.fetchone()[0]:
                cur.execute(f"ANALYZE {conn.ops.quote_name('org_resident')}")
        elif conn.vendor == "postgresql":
            cur.execute(f"ANALYZE {conn.ops.quote_name('org_resident')}")


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0006_node_counts'),
    ]

    operations = [
        migrations.AddField(
            model_name='resident',
            name='name_given',
            field=fanzha.core.names.NameKeyField(blank=True, default='', editable=False, max_length=50, part='given'),
        ),
        migrations.AddField(
            model_name='resident',
            name='name_initials',
            field=fanzha.core.names.NameKeyField(blank=True, default='', editable=False, max_length=50, part='initials'),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['name'], name='resident_name', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['name_given'], name='resident_name_given', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['name_initials'], name='resident_name_initials', opclasses=['varchar_pattern_ops']),
        ),
        migrations.RunPython(refresh_statistics, migrations.RunPython.noop, elidable=True),
    ]
