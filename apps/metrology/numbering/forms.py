from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrology.core.errors import ApplicationError
from metrology.doctype.document_kinds import DocumentKind
from metrology.numbering.models import NumberingScheme
from metrology.numbering.rules import scheme_check
from metrology.numbering.services import SCHEME_FIELDS


class SchemeForm(forms.ModelForm):
    document_kinds = forms.MultipleChoiceField(label=_("document kinds"), choices=DocumentKind.choices,
                                               widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = NumberingScheme
        fields = SCHEME_FIELDS
        widgets = {"test_types": forms.CheckboxSelectMultiple}

    def _post_clean(self) -> None:
        super()._post_clean()
        if self._errors:
            return
        try:
            scheme_check(self.instance, items=self.cleaned_data.get("items", []),
                         test_types=self.cleaned_data.get("test_types", []))
        except ApplicationError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)


class SetNextForm(forms.Form):
    next_sequence = forms.IntegerField(label=_("next sequence"), min_value=1,
                                       help_text=_("The sequence the next number gets, e.g. 1001."))
    on = forms.DateField(label=_("period of the date"), initial=timezone.localdate, widget=AdminDateWidget,
                         help_text=_("The period (year or month) whose numbering this sets."))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Shown in the gap report next to the numbers skipped."))


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("void reason"), widget=forms.Textarea(attrs={"rows": 3}))
