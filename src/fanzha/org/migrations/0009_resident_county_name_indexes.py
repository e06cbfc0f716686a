from django.db import migrations, models

# Keyed-hash columns of org_resident: only ever compared with `=`, never LIKE.
HASH_COLUMNS = ("id_number_hash", "phone_hash", "phone2_hash", "phone_tail_hash")


def drop_hash_like_indexes(apps, schema_editor):
    """Drop PostgreSQL's second index on each keyed-hash column of org_resident.

    Django gives every indexed varchar column on PostgreSQL a plain index and a
    `_like` one (varchar_pattern_ops) for LIKE. A hash is only compared with `=`,
    which either answers as fast, so the `_like` one only slows every insert and
    import. Its name is the one Django gave it, so a later AlterField still finds
    it (Django drops it with IF EXISTS).
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    Resident = apps.get_model("org", "Resident")
    table = Resident._meta.db_table
    for column in HASH_COLUMNS:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


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
        ('org', '0008_node_counts_reach'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['county', 'name'], name='resident_county_name', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['county', 'name_given'], name='resident_county_name_given', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['county', 'name_initials'], name='resident_county_name_initials', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
        migrations.RunPython(drop_hash_like_indexes, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(refresh_statistics, migrations.RunPython.noop, elidable=True),
    ]
