from datetime import timedelta

from django.db import migrations, models

# The rules as they were when this migration was written (models.DEFAULT_RULES).
THANK_DAYS, CLOSE_LOOP_DAYS = "thank_days", "close_loop_days"


def fill(apps, schema_editor):
    """Met introductions get the due date of their second step, as lifecycle computes it:
    the later of thanking and closing the loop, each counted from the meeting."""
    from introloop.intros.models import DEFAULT_RULES

    Intro = apps.get_model("intros", "Intro")
    for intro in Intro.objects.filter(state="met", met_at__isnull=False).only("met_at", "rules"):
        rules = intro.rules or {}
        days = max(rules.get(THANK_DAYS, DEFAULT_RULES[THANK_DAYS]),
                   rules.get(CLOSE_LOOP_DAYS, DEFAULT_RULES[CLOSE_LOOP_DAYS]))  # fmt: skip
        intro.later_due_at = intro.met_at + timedelta(days=days)
        intro.save(update_fields=["later_due_at"])


class Migration(migrations.Migration):
    dependencies = [("intros", "0007_target_email_by_connector")]

    operations = [
        migrations.AddField(
            model_name="intro",
            name="later_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
