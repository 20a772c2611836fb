"""PostgreSQL only: covering indexes for the console's preview (alerts.recipients_preview). They
hold every column the preview reads, so the subscriptions and contacts of an area are counted
from the index alone (an index-only scan per run of civic numbers), never from the table's pages
scattered over the disk. SQLite (development) has no INCLUDE and no need: its preview reads the
table through the civic-number indexes of the models."""

from django.db import migrations

POSTGRES = [
    """CREATE INDEX IF NOT EXISTS alerts_sub_active_civic_preview
        ON alerts_subscription (civic_number_id)
        INCLUDE (mobile, landline, fax, email, sms_instead_of_voice)
        WHERE status = 'active'""",
    """CREATE INDEX IF NOT EXISTS alerts_contact_placed_civic_preview
        ON alerts_contact (civic_number_id) INCLUDE (number, confirmed_at)
        WHERE civic_number_id IS NOT NULL""",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS alerts_sub_active_civic_preview",
    "DROP INDEX IF EXISTS alerts_contact_placed_civic_preview",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("alerts", "0012_campaign_removals")]

    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_REVERSE))]
