from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


SEAL_FIELDS = frozenset({"row_mac", "position", "prev_hash", "hash"})


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events are append-only")

    def _write_seal(self, **fields):
        """Only for metrology.core.audit: the seal of rows it wrote; never their content."""
        if not set(fields) <= SEAL_FIELDS:
            raise AppendOnlyError("audit events are append-only")
        return super().update(**fields)

    def delete(self):
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """One row of the append-only, hash-chained audit log (see metrology.core.audit).

    The writer inserts the row in its own transaction with `row_mac`, a keyed hash of its content;
    right after commit the row is sealed: it gets its `position` in the chain, the previous row's
    hash and its own `hash`. Altering, removing or reordering any row breaks the chain from that
    row on (`metrology audit verify`). Ids come from the database; the chain runs by `position`.
    """

    id = models.BigAutoField(_("audit row number"), primary_key=True)
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_repr = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    device_claimed = models.BooleanField(
        _("device as claimed by the client"), default=False,
        help_text=_("The device is what the client said it is; devices are not yet authorised."))
    row_mac = models.CharField(_("content seal"), max_length=64, blank=True)
    position = models.BigIntegerField(_("position in the chain"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, null=True, blank=True, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        from metrology.core.audit import action_label  # the audit module builds on these models

        return f"#{self.id} {action_label(self.action)} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")


class AuditChainHead(models.Model):
    """The last sealed row; locked only by the sealing step. Its one row is made by a migration."""

    last_position = models.BigIntegerField(_("last position in the chain"), default=0)
    last_id = models.BigIntegerField(_("last sealed row"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
