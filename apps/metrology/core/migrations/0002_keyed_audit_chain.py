"""Audit rows get their id from the database and are sealed into a keyed chain after commit (#8).

Rows written before are checked against the old (keyless) chain, given their keyed content seal
and left to be sealed again, in id order, by the first sealing after the upgrade. The chain head
row is made here, once, so first writers never race to create it.
"""

import datetime as dt
import hashlib
import json

from django.db import migrations, models

GENESIS_HASH = "0" * 64


def _legacy_hash(prev_hash, event):
    content = {
        "id": event.id, "created_at": event.created_at.astimezone(dt.timezone.utc).isoformat(),
        "actor_id": event.actor_id, "actor_repr": event.actor_repr, "action": event.action,
        "object_type": event.object_type, "object_id": event.object_id, "object_repr": event.object_repr,
        "before": event.before, "after": event.after, "reason": event.reason, "ip": event.ip,
        "device": event.device,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


def reseal_with_the_key(apps, schema_editor):
    from metrology.core.audit import content_seal
    from metrology.core.audit_anchor import audit_key

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    events = list(AuditEvent.objects.order_by("id"))
    prev_hash = GENESIS_HASH
    for expected_id, event in enumerate(events, start=1):
        if event.id != expected_id or event.prev_hash != prev_hash or _legacy_hash(prev_hash, event) != event.hash:
            raise RuntimeError(
                f"The audit log is broken at row {event.id} before the upgrade; it is not re-sealed. "
                f"Investigate with the previous version's `metrology audit verify` "
                f"(升级前审计日志在第 {event.id} 行已被篡改，未重新封存).")
        prev_hash = event.hash
    if events:
        key = audit_key(chain_started=lambda: False)
        for event in events:
            event.device_claimed = bool(event.device)
            event.row_mac = content_seal(key, event)
            AuditEvent.objects.filter(pk=event.pk).update(
                device_claimed=event.device_claimed, row_mac=event.row_mac, prev_hash="", hash=None)
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_position": 0, "last_id": 0, "last_hash": GENESIS_HASH})


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="device_claimed",
            field=models.BooleanField(
                default=False, help_text="The device is what the client said it is; devices are not yet authorised.",
                verbose_name="device as claimed by the client"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_mac",
            field=models.CharField(blank=True, max_length=64, verbose_name="content seal"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="position",
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name="position in the chain"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="previous hash"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True, verbose_name="hash"),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="last_position",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(reseal_with_the_key, migrations.RunPython.noop),
    ]
