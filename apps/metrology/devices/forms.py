from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from metrology.devices.models import Device


class EnableForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisableForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason for disabling"), choices=Device.DisabledReason.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when the reason is “other”."))
