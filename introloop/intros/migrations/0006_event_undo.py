import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Undo and correct: each event keeps the introduction as it was before it, and whether
    (and by which entry) it was undone, and when its time was corrected."""

    dependencies = [
        ("intros", "0005_clock_and_checkin"),
    ]

    operations = [
        migrations.AddField(
            model_name="introevent",
            name="before",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="introevent",
            name="corrected_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="introevent",
            name="undone_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="introevent",
            name="undone_by",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="undoes",
                to="intros.introevent",
            ),
        ),
        migrations.AlterField(
            model_name="introevent",
            name="type",
            field=models.CharField(
                choices=[
                    ("requested", "Introduction requested"),
                    ("asked", "Target asked"),
                    ("accepted", "Target accepted"),
                    ("declined", "Target declined"),
                    ("introduced", "Introduced"),
                    ("reached_out", "Seeker reached out"),
                    ("followed_up", "Seeker followed up"),
                    ("scheduled", "Conversation booked"),
                    ("met", "Met"),
                    ("thanked", "Seeker said thank you"),
                    ("loop_closed", "Loop closed"),
                    ("withdrawn", "Withdrawn"),
                    ("dropped", "Dropped"),
                    ("note", "Note"),
                    ("undone", "Undone"),
                ],
                max_length=20,
            ),
        ),
    ]
