"""A counter the database itself raises on every change to the civic numbers (insert, update,
delete, truncate; by the ORM, an import or plain SQL): processes that keep the stradario in
memory (alerts.targeting) rebuild their copy when, and only when, it moved. On PostgreSQL a
sequence, which a rolled-back transaction does not wind back (so a number is never seen twice
for two different stradari); on SQLite a one-row table."""

from django.db import migrations

POSTGRES = [
    "CREATE SEQUENCE places_stradario_generation",
    """CREATE FUNCTION places_stradario_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM nextval('places_stradario_generation');
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER places_civicnumber_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON places_civicnumber
        FOR EACH STATEMENT EXECUTE FUNCTION places_stradario_bump()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS places_civicnumber_changed ON places_civicnumber",
    "DROP FUNCTION IF EXISTS places_stradario_bump()",
    "DROP SEQUENCE IF EXISTS places_stradario_generation",
]
BUMP = "UPDATE places_stradariogeneration SET generation = generation + 1 WHERE id = 1"
SQLITE = [
    "CREATE TABLE places_stradariogeneration (id integer PRIMARY KEY, generation bigint NOT NULL)",
    "INSERT INTO places_stradariogeneration VALUES (1, 0)",
    *(
        f"CREATE TRIGGER places_civicnumber_{event.lower()} AFTER {event} ON places_civicnumber"
        f" BEGIN {BUMP}; END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]
SQLITE_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS places_civicnumber_{event}" for event in ("insert", "update", "delete")),
    "DROP TABLE IF EXISTS places_stradariogeneration",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
