from django.db import migrations, models


def fill_logged_as(apps, schema_editor):
    """Until now the part of whoever logged an introduction was worked out from their
    current address; record it once, as it is now."""
    Intro = apps.get_model("intros", "Intro")
    for intro in Intro.objects.select_related("created_by").iterator(chunk_size=2000):
        email = intro.created_by.email
        role = next(
            (r for r in ("connector", "seeker", "target") if getattr(intro, f"{r}_email") == email),
            "connector",
        )
        Intro.objects.filter(pk=intro.pk).update(logged_as=role)


class Migration(migrations.Migration):
    dependencies = [
        ("intros", "0003_intro_checkin_due_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="intro",
            name="logged_as",
            field=models.CharField(
                blank=True,
                choices=[("connector", "Connector"), ("seeker", "Seeker"), ("target", "Target")],
                max_length=10,
            ),
        ),
        migrations.RunPython(fill_logged_as, migrations.RunPython.noop),
    ]
