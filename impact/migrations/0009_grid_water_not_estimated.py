"""Power-plant water becomes optional: empty means not estimated, and the report leaves it out.

The old default 0.0 was what every facility got without a figure, and reports showed "0 m³" of
water at the power plants. Rows still at 0.0 with no assumption citing the field become empty; a
0.0 someone cited (a grid of wind and solar, say) stays.
"""

import impact.models
from django.db import migrations, models


def zero_to_not_estimated(apps, schema_editor):
    GridSupply = apps.get_model("impact", "GridSupply")
    Assumption = apps.get_model("impact", "Assumption")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kind = ContentType.objects.filter(app_label="impact", model="gridsupply").first()
    cited = set()
    if kind is not None:
        cited = set(Assumption.objects.filter(content_type=kind, field_name="generation_water_l_per_kwh")
                    .values_list("object_id", flat=True))
    GridSupply.objects.filter(generation_water_l_per_kwh=0.0).exclude(pk__in=cited).update(generation_water_l_per_kwh=None)


def not_estimated_to_zero(apps, schema_editor):
    apps.get_model("impact", "GridSupply").objects.filter(generation_water_l_per_kwh=None).update(generation_water_l_per_kwh=0.0)


class Migration(migrations.Migration):

    dependencies = [
        ('impact', '0008_physical_bounds'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterField(
            model_name='gridsupply',
            name='generation_water_l_per_kwh',
            field=models.FloatField(blank=True, default=None, help_text='Empty: not estimated. The report then leaves this water out rather than show 0.', null=True, validators=[impact.models.BoundMinValidator('generation_water_l_per_kwh'), impact.models.BoundMaxValidator('generation_water_l_per_kwh')], verbose_name='water consumed by power plants (L/kWh)'),
        ),
        migrations.RunPython(zero_to_not_estimated, not_estimated_to_zero),
    ]
