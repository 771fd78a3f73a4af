from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from metrology.regulations.codes import normalise_code
from metrology.regulations.errors import RegulationRefused
from metrology.regulations.models import Kind, Regulation
from metrology.regulations.uploads import check_upload


class RegulationForm(forms.ModelForm):
    """The Desk's add/change form; the upload is checked here so a refusal keeps what was typed."""

    kind = forms.ChoiceField(label=_("kind"), required=False,
                             choices=[("", _("From the code (JJG, JJF, GB …)")), *Kind.choices])
    upload = forms.FileField(
        label=_("file (PDF or .docx)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,application/pdf"}),
        help_text=_("At most 50 MiB. A new file replaces the current one; the old file is kept."),
    )

    class Meta:
        model = Regulation
        fields = ("code", "title", "effective_date", "withdrawal_date")  # kind: a plain field, "" = derive

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].required = self.instance.pk is None
        if self.instance.pk:
            self.initial.setdefault("kind", self.instance.kind)

    def clean_code(self) -> str:
        return normalise_code(self.cleaned_data["code"])

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                check_upload(upload)
            except RegulationRefused as error:
                raise forms.ValidationError(error.message, code=error.code) from None
        return upload

    def clean(self) -> dict:
        data = super().clean()
        effective, withdrawn = data.get("effective_date"), data.get("withdrawal_date")
        if effective and withdrawn and withdrawn < effective:
            self.add_error("withdrawal_date", _("The withdrawal date cannot be before the effective date."))
        return data
