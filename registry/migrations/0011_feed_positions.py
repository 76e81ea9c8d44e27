"""Feed positions that belong to the registry: ``Change.position`` from a one-row counter, in commit order.

Existing entries are numbered 1, 2, 3, … in their old order ``(txid, id)`` by one UPDATE; each webhook endpoint's
place ``(cursor_txid, cursor_id)`` becomes the position of the last entry at or before it. ``txid`` is kept for
those entries only, so cursors issued before this migration still read (registry/changes/feed.py). On PostgreSQL a deferred
constraint trigger then places each writing transaction's entries as it commits.
"""

from django.db import migrations, models

NUMBER_EXISTING = """
UPDATE registry_change SET position = numbered.n
FROM (SELECT id, row_number() OVER (ORDER BY txid, id) AS n FROM registry_change) AS numbered
WHERE registry_change.id = numbered.id
"""

# At commit (deferred): lock the counter row, then give this transaction's unplaced entries the next numbers in id
# order, in one statement. The first of its entries to fire places them all; the others find themselves placed. The
# row lock is held until the commit is complete, so the next transaction numbers after this one is visible.
# Only the transaction's own entries are unplaced: another's are invisible until placed (and committed).
PLACE_FUNCTION = """
CREATE FUNCTION registry_change_place() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_given bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM registry_change WHERE id = NEW.id AND position IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    SELECT last INTO last_given FROM registry_feedcounter WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO registry_feedcounter (id, last) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
        SELECT last INTO last_given FROM registry_feedcounter WHERE id = 1 FOR UPDATE;
    END IF;
    -- A restored backup (or rows loaded with their positions) may have left the counter behind its entries.
    SELECT GREATEST(last_given, COALESCE(MAX(position), 0)) INTO last_given FROM registry_change;
    WITH placed AS (
        UPDATE registry_change SET position = last_given + unplaced.n
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM registry_change WHERE position IS NULL) AS unplaced
        WHERE registry_change.id = unplaced.id
        RETURNING registry_change.position
    )
    SELECT COALESCE(MAX(position), last_given) INTO last_given FROM placed;
    UPDATE registry_feedcounter SET last = last_given WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER registry_change_place AFTER INSERT ON registry_change
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.position IS NULL) EXECUTE FUNCTION registry_change_place();
"""
DROP_PLACE_FUNCTION = """
DROP TRIGGER IF EXISTS registry_change_place ON registry_change;
DROP FUNCTION IF EXISTS registry_change_place();
"""


def number_existing(apps, schema_editor):
    schema_editor.execute(NUMBER_EXISTING)
    set_counter(apps, schema_editor)


def set_counter(apps, schema_editor):
    alias = schema_editor.connection.alias
    last = apps.get_model("registry", "Change").objects.using(alias).aggregate(last=models.Max("position"))["last"]
    apps.get_model("registry", "FeedCounter").objects.using(alias).update_or_create(id=1, defaults={"last": last or 0})


def legacy_position(changes, txid: int, id_: int) -> int:
    before = changes.filter(txid__isnull=False).filter(models.Q(txid__lt=txid) | models.Q(txid=txid, id__lte=id_))
    return before.order_by("-txid", "-id").values_list("position", flat=True).first() or 0


def map_endpoints(apps, schema_editor):
    """Each endpoint's place ``(txid, id)`` becomes the position of the last entry at or before it."""
    alias = schema_editor.connection.alias
    changes = apps.get_model("registry", "Change").objects.using(alias)
    for endpoint in apps.get_model("registry", "WebhookEndpoint").objects.using(alias):
        endpoint.cursor_position = legacy_position(changes, endpoint.cursor_txid, endpoint.cursor_id)
        endpoint.save(update_fields=["cursor_position"])


def unmap_endpoints(apps, schema_editor):
    alias = schema_editor.connection.alias
    changes = apps.get_model("registry", "Change").objects.using(alias)
    for endpoint in apps.get_model("registry", "WebhookEndpoint").objects.using(alias):
        entry = changes.filter(position__lte=endpoint.cursor_position).order_by("-position").first()
        endpoint.cursor_txid, endpoint.cursor_id = (entry.txid, entry.id) if entry else (0, 0)
        endpoint.save(update_fields=["cursor_txid", "cursor_id"])


def give_back_txids(apps, schema_editor):
    """Going back: entries written since take the greatest old txid, so the old order puts them last, by id."""
    changes = apps.get_model("registry", "Change").objects.using(schema_editor.connection.alias)
    greatest = changes.aggregate(greatest=models.Max("txid"))["greatest"] or 0
    changes.filter(txid__isnull=True).update(txid=greatest)


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PLACE_FUNCTION)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_PLACE_FUNCTION)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0010_merge_0009_list_indexes_0009_registry_revision'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last', models.BigIntegerField(default=0, help_text='The last position given to a change-feed entry.', verbose_name='last')),
            ],
            options={
                'verbose_name': 'feed counter',
                'verbose_name_plural': 'feed counters',
                'ordering': ('id',),
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='registry_feedcounter_single_row')],
            },
        ),
        migrations.AddField(
            model_name='change',
            name='position',
            field=models.BigIntegerField(blank=True, editable=False, help_text='Place in the change feed: 1, 2, 3, … in commit order (entries of one transaction in id order); given when the writing transaction commits, kept by backup and restore.', null=True, verbose_name='position'),
        ),
        migrations.AlterField(
            model_name='change',
            name='txid',
            field=models.BigIntegerField(blank=True, editable=False, help_text="Only for entries written before feed positions: the writing PostgreSQL transaction's id (0 on SQLite), with which cursors issued then are still read. Empty since.", null=True, verbose_name='transaction id'),
        ),
        migrations.AddField(
            model_name='webhookendpoint',
            name='cursor_position',
            field=models.BigIntegerField(default=0, editable=False, help_text='Feed position delivered up to (Change.position; 0: before the first).'),
        ),
        migrations.RunPython(number_existing, give_back_txids, elidable=False),
        migrations.RunPython(map_endpoints, unmap_endpoints, elidable=False),
        migrations.RemoveField(
            model_name='webhookendpoint',
            name='cursor_id',
        ),
        migrations.RemoveField(
            model_name='webhookendpoint',
            name='cursor_txid',
        ),
        migrations.AlterModelOptions(
            name='change',
            options={'ordering': ('position', 'id'), 'verbose_name': 'change', 'verbose_name_plural': 'changes'},
        ),
        migrations.RemoveIndex(
            model_name='change',
            name='registry_change_position',
        ),
        migrations.AddIndex(
            model_name='change',
            index=models.Index(condition=models.Q(('txid__isnull', False)), fields=['txid', 'id'], name='registry_change_legacy_place'),
        ),
        migrations.AddIndex(
            model_name='change',
            index=models.Index(condition=models.Q(('position__isnull', True)), fields=['id'], name='registry_change_unplaced'),
        ),
        migrations.AddConstraint(
            model_name='change',
            constraint=models.UniqueConstraint(fields=('position',), name='registry_change_unique_position'),
        ),
        migrations.RunPython(install_trigger, remove_trigger, elidable=False),
    ]
