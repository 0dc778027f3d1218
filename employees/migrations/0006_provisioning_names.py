from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("employees", "0005_employee_organization_index"),
    ]

    operations = [
        migrations.RenameField(
            model_name="organization", old_name="okta_enabled", new_name="provisioning_enabled"
        ),
        migrations.RenameIndex(
            model_name="employee", new_name="employee_org_live", old_name="employee_org_scim_live"
        ),
    ]
