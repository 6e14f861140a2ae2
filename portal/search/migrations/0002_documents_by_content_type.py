"""Documents keyed by content type and object id instead of one foreign key per kind.

The kinds now come from the apps (portal/search/registry.py). Existing documents
move in place: same sort keys (each kind keeps its code), same texts and
tokens, so no rebuild is needed. The series becomes the generic ``group`` and
its name joins the label (what a hit shows above its title).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Substr

# (kind, app label, model, old foreign key): the four kinds before the registry.
KINDS = [
    ("issue", "bulletins", "issue", "issue_id"),
    ("meeting", "bulletins", "meeting", "meeting_id"),
    ("task", "tasks", "task", "task_id"),
    ("report", "tasks", "progressreport", "report_id"),
]


def move_to_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Document = apps.get_model("search", "SearchDocument")
    Series = apps.get_model("bulletins", "Series")
    db = schema_editor.connection.alias
    for kind, app_label, model, fk in KINDS:
        documents = Document.objects.using(db).filter(kind=kind)
        if not documents.exists():
            continue
        content_type, _ = ContentType.objects.using(db).get_or_create(
            app_label=app_label, model=model
        )
        documents.update(content_type_id=content_type.pk, object_id=F(fk))
    series_name = Series.objects.using(db).filter(pk=OuterRef("series_id")).values("name")[:1]
    Document.objects.using(db).filter(series_id__isnull=False).update(
        group=F("series_id"),
        label=Substr(
            Concat(Coalesce(Subquery(series_name), Value("")), Value(" · "), F("label")),
            1,
            300,
        ),
    )
    _check_foreign_keys_now(schema_editor)


def _check_foreign_keys_now(schema_editor):
    # PostgreSQL checks the new foreign key at commit (DEFERRABLE INITIALLY
    # DEFERRED); with those checks pending, the ALTER TABLEs after this step
    # would fail ("pending trigger events"). Run them now.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def move_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Document = apps.get_model("search", "SearchDocument")
    Series = apps.get_model("bulletins", "Series")
    db = schema_editor.connection.alias
    for kind, app_label, model, fk in KINDS:
        content_type = ContentType.objects.using(db).filter(app_label=app_label, model=model)
        Document.objects.using(db).filter(kind=kind, content_type__in=content_type).update(
            **{fk: F("object_id")}
        )
    Document.objects.using(db).exclude(kind__in=[k[0] for k in KINDS]).delete()
    Document.objects.using(db).filter(kind="issue").update(series_id=F("group"))
    # The series name leaves the label again (the old page printed it from series).
    for pk, name in Series.objects.using(db).values_list("pk", "name"):
        prefix = f"{name} · "
        Document.objects.using(db).filter(series_id=pk, label__startswith=prefix).update(
            label=Substr("label", len(prefix) + 1)
        )
    _check_foreign_keys_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("search", "0001_search_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="content_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="object_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="group",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        # Before the data moves, so that going back re-adds it after move_back.
        migrations.RemoveConstraint(
            model_name="searchdocument",
            name="search_document_has_source",
        ),
        migrations.RunPython(move_to_content_types, move_back, elidable=False),
        migrations.RemoveField(model_name="searchdocument", name="issue"),
        migrations.RemoveField(model_name="searchdocument", name="meeting"),
        migrations.RemoveField(model_name="searchdocument", name="task"),
        migrations.RemoveField(model_name="searchdocument", name="report"),
        migrations.RemoveField(model_name="searchdocument", name="series"),
        migrations.AlterField(
            model_name="searchdocument",
            name="content_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AlterField(
            model_name="searchdocument",
            name="object_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AlterField(
            model_name="searchdocument",
            name="kind",
            field=models.CharField(max_length=20, verbose_name="类型"),
        ),
        migrations.AddConstraint(
            model_name="searchdocument",
            constraint=models.UniqueConstraint(
                fields=("content_type", "object_id"), name="search_document_one_per_object"
            ),
        ),
    ]
