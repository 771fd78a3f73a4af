"""The kinds of document a record gives (R-4.2.3.6): layouts and numbering schemes are chosen by them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    RAW_RECORD = "原始记录", _("raw record")
    CERTIFICATE = "检定证书", _("verification certificate")
    NOTICE = "检定结果通知书", _("verification result notice")
    CALIBRATION = "校准证书", _("calibration certificate")
    TEST_REPORT = "检测报告", _("test report")
