"""On PostgreSQL, the database itself refuses two holders of a single-seat post on the same day.

The exclusion constraint (btree_gist) cannot live in Meta.constraints: SQLite cannot create it ("near EXCLUDE").
So it is created here, only when the connection is PostgreSQL, and the migration state is left unchanged. On every
database, Appointment.clean() checks the same rule inside the service's transaction, with a row lock on the post.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "registry_appointment_single_seat_no_overlap"

CREATE = f"""
ALTER TABLE registry_appointment ADD CONSTRAINT {CONSTRAINT}
EXCLUDE USING gist (post_id WITH =, daterange(start_date, end_date, '[]') WITH &&) WHERE (single_seat)
"""
DROP = f"ALTER TABLE registry_appointment DROP CONSTRAINT IF EXISTS {CONSTRAINT}"


def create_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(create_constraint, drop_constraint, elidable=False),
    ]
