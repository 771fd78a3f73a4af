from django.db import migrations


def create_default_chain(apps, schema_editor):
    from metrology.workflow.default_chain import ensure_default_workflow

    ensure_default_workflow(apps.get_model("workflow", "Workflow"), apps.get_model("workflow", "WorkflowState"),
                            apps.get_model("workflow", "WorkflowTransition"))


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(create_default_chain, migrations.RunPython.noop)]
