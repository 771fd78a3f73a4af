"""The item form: an item's regulations are picked from the regulation library, not typed as JSON (#9)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.doctype.models import Item
from metrology.regulations.codes import normalise_code
from metrology.regulations.models import Regulation
from metrology.regulations.selectors import basis_entries, basis_problems


class RegulationChoiceField(forms.MultipleChoiceField):
    widget = FilteredSelectMultiple(gettext_lazy("regulations"), is_stacked=False)


class ItemForm(forms.ModelForm):
    """`regulation_codes` stays a JSON list of codes. Codes stored earlier that the library does not know
    are offered too, chosen, so they stay until someone removes them."""

    regulation_codes = RegulationChoiceField(
        label=gettext_lazy("regulations"), required=False,
        help_text=gettext_lazy("Choose from the regulation library; upload a regulation there first if it is "
                               "missing."),
    )

    class Meta:
        model = Item
        fields = ("code", "name", "authorisation_basis", "is_authorised", "period_months", "regulation_codes")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        library = list(Regulation.objects.order_by("code").only("code", "title", "effective_date",
                                                                 "withdrawal_date"))
        known = {regulation.code for regulation in library}
        self.stored = self._stored_codes(known)
        unknown = [code for code in self.stored if code not in known]
        field = self.fields["regulation_codes"]
        field.choices = [(code, _("%(code)s (not in the regulation library)") % {"code": code})
                         for code in unknown]
        field.choices += [(regulation.code, _("%(code)s — %(title)s (%(status)s)") % {
            "code": regulation.code, "title": regulation.title, "status": regulation.get_status_display()})
            for regulation in library]
        self.initial["regulation_codes"] = self.stored

    def _stored_codes(self, known: set[str]) -> list[str]:
        """The item's codes, each in the library's spelling when the library has it, once."""
        codes = []
        for code in self.instance.regulation_codes or []:
            if not isinstance(code, str) or not code.strip():
                continue
            spelling = normalise_code(code) if normalise_code(code) in known else code.strip()
            if spelling not in codes:
                codes.append(spelling)
        return codes

    def clean_regulation_codes(self) -> list[str]:
        chosen = list(dict.fromkeys(self.cleaned_data["regulation_codes"]))
        added = [code for code in chosen if code not in self.stored]
        problems = basis_problems(entry for entry in basis_entries(added) if entry.problem == "withdrawn")
        if problems:
            raise forms.ValidationError(problems)
        kept = [code for code in self.stored if code in chosen]
        return kept + added
