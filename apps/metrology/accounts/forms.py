from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from metrology.accounts.models import Person, Qualification, Role
from metrology.accounts.usernames import normalize_username
from metrology.core.permissions import MODULES, PERMISSIONS


class DeskLoginForm(AdminAuthenticationForm):
    error_messages = {
        "invalid_login": _("The account or password is wrong. Note that the password is case-sensitive."),
        "inactive": _("This account has been disabled and cannot log in. Please contact the system administrator."),
    }

    def clean_username(self) -> str:
        return normalize_username(self.cleaned_data.get("username"))

    def confirm_login_allowed(self, user: Person) -> None:
        if not user.is_active:
            raise ValidationError(self.error_messages["inactive"], code="inactive")


class OwnPasswordChangeForm(AdminPasswordChangeForm):
    """The Desk's "change my password", saved by the service: audited, and every other session and
    API token of the person ends (#8)."""

    def save(self, commit: bool = True) -> Person:
        from metrology.accounts.services.people import person_set_password

        return person_set_password(actor=self.user, person=self.user, password=self.cleaned_data["new_password1"])


class PersonAddForm(forms.ModelForm):
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Person
        fields = ("username", "name")

    def clean_password2(self) -> str:
        password1, password2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise ValidationError(_("The two passwords do not match."), code="password_mismatch")
        return password2

    def _post_clean(self) -> None:
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                validate_password(password, self.instance)
            except ValidationError as exc:
                self.add_error("password1", exc)


class ItemsField(forms.CharField):
    """A list of item names typed one per line (commas and 、 also separate)."""

    widget = forms.Textarea(attrs={"rows": 2, "cols": 30})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        for separator in (",", "，", "、", ";", "；"):
            text = text.replace(separator, "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]


class QualificationForm(forms.ModelForm):
    items = ItemsField(label=_("items covered"), required=False)

    class Meta:
        model = Qualification
        fields = ("certificate_number", "issue_date", "issuing_body", "valid_until", "items")


def grouped_permission_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups = []
    for module in sorted(MODULES.values(), key=lambda m: m.order):
        choices = [(p.code, p.label) for p in PERMISSIONS.values() if p.module == module.code]
        groups.append((module.label, choices))
    return groups


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        required=False,
        choices=grouped_permission_choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Role
        fields = ("name", "code", "description", "is_enabled")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "code" in self.fields:  # read-only once the role exists
            self.fields["code"].required = False
            self.fields["code"].help_text = _("Optional; made from the name if left empty. Cannot be changed later.")
        if self.instance.pk:
            self.initial["permissions"] = self.instance.permission_codes()
