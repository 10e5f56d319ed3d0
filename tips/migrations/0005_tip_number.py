from django.db import migrations, models
from django.utils import timezone


def number_existing_tips(apps, schema_editor):
    """Number the tips already stored, per year in order of arrival, and set the counters."""
    Tip = apps.get_model("tips", "Tip")
    counters = apps.get_model("tips", "TipNumberCounter")
    last: dict[int, int] = {}
    batch = []
    for tip in (
        Tip.objects.filter(number__isnull=True)
        .order_by("created_at", "id")
        .only("id", "created_at")
        .iterator(chunk_size=2000)
    ):
        year = timezone.localtime(tip.created_at).year
        last[year] = last.get(year, 0) + 1
        tip.number = f"T-{year}-{last[year]:05d}"
        batch.append(tip)
        if len(batch) >= 2000:
            Tip.objects.bulk_update(batch, ["number"])
            batch = []
    if batch:
        Tip.objects.bulk_update(batch, ["number"])
    for year, count in last.items():
        counters.objects.update_or_create(year=year, defaults={"last": count})


class Migration(migrations.Migration):
    dependencies = [
        ("tips", "0004_attachment_message"),
    ]

    operations = [
        migrations.CreateModel(
            name="TipNumberCounter",
            fields=[
                ("year", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("last", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="tip",
            name="number",
            field=models.CharField(
                blank=True, editable=False, max_length=16, null=True, unique=True
            ),
        ),
        migrations.RunPython(number_existing_tips, migrations.RunPython.noop, elidable=True),
    ]
