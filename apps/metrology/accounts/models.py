from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from metrology.accounts.id_numbers import birth_date_of, normalize_id_number, validate_id_number
from metrology.accounts.jurisdiction import split_regions
from metrology.accounts.usernames import normalize_username, stored_username
from metrology.core.permissions import PERMISSION_CHOICES, code_of


class Role(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("role name"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    is_builtin = models.BooleanField(_("built-in"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name

    def permission_codes(self) -> list[str]:
        return sorted(self.grants.values_list("code", flat=True))


class RoleGrant(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants", verbose_name=_("role"))
    code = models.CharField(_("permission"), max_length=50, choices=PERMISSION_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "code"], name="unique_role_grant")]
        verbose_name = _("role permission")
        verbose_name_plural = _("role permissions")

    def __str__(self) -> str:
        return f"{self.role} · {self.get_code_display()}"


class PersonManager(BaseUserManager):
    def get_by_natural_key(self, username: str) -> Person:
        return self.get(username__iexact=normalize_username(username))


class Person(AbstractBaseUser):
    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    class Education(models.TextChoices):
        DOCTORATE = "doctorate", _("doctorate")
        MASTER = "master", _("master's degree")
        BACHELOR = "bachelor", _("bachelor's degree")
        COLLEGE = "college", _("junior college")
        SECONDARY = "secondary", _("technical secondary or high school")
        OTHER = "other", _("other")

    username = models.CharField(
        _("account"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Used to log in. Letters, digits and @/./+/-/_ only."),
        error_messages={"unique": _("This account name is already taken.")},
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = models.CharField(
        _("ID card number"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        error_messages={"unique": _("Another person already has this ID card number.")},
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    position = models.CharField(_("position"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=200,
        blank=True,
        help_text=_(
            "The districts, separated by 、 or commas, whose records this person may see: a record belongs "
            "when its user's address (使用单位地址) or client names one of them. Empty means the whole institute."
        ),
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="people", verbose_name=_("roles"))
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Disabled people cannot log in; their history is kept.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now, editable=False)
    deactivated_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    # Raised to end every session at once (a password change, a disable); see _get_session_auth_hash.
    auth_generation = models.PositiveIntegerField(_("session generation"), default=0, editable=False)

    objects = PersonManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name}（{self.username}）" if self.name else self.username

    def clean(self) -> None:
        super().clean()
        self.username = stored_username(self.username)
        clash = Person.objects.filter(username__iexact=normalize_username(self.username)).exclude(pk=self.pk)
        if self.username and clash.exists():
            raise ValidationError({"username": _("This account name is already taken.")})
        self.jurisdiction = "、".join(split_regions(self.jurisdiction))
        self.id_number = normalize_id_number(self.id_number or "") or None
        if self.id_number:
            try:
                validate_id_number(self.id_number)
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from exc
            born = birth_date_of(self.id_number)
            if self.birth_date and born and self.birth_date != born:
                raise ValidationError(
                    {"birth_date": _("The date of birth does not match the one in the ID card number.")}
                )

    def _get_session_auth_hash(self, secret=None) -> str:
        key_salt = "metrology.accounts.Person.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.auth_generation}", secret=secret,
                           algorithm="sha256").hexdigest()

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    # Django's admin and templates ask these; the role backend answers them.
    @property
    def is_staff(self) -> bool:
        return self.is_active

    @property
    def is_superuser(self) -> bool:
        return False

    def get_all_permissions(self, obj: object = None) -> set[str]:
        from metrology.accounts.backends import RoleBackend

        return RoleBackend().get_all_permissions(self, obj)

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_active and code_of(perm) is not None and perm in self.get_all_permissions(obj)

    def has_perms(self, perm_list, obj: object = None) -> bool:
        return all(self.has_perm(p, obj) for p in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and bool(self.get_all_permissions())

    def approved_items(self, on: dt.date | None = None) -> list[str]:
        """The items (核准项目) this person may work on: those of their qualifications valid on that day."""
        on = on or timezone.localdate()
        items: set[str] = set()
        for qualification in self.qualifications.filter(issue_date__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        ):
            items.update(qualification.items or [])
        return sorted(items)


class Qualification(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("person")
    )
    certificate_number = models.CharField(_("certificate number"), max_length=64)
    issue_date = models.DateField(_("issue date"))
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    items = models.JSONField(
        _("items covered"),
        default=list,
        blank=True,
        help_text=_("The measurement items or categories this qualification covers, one per line."),
    )

    class Meta:
        ordering = ["person", "-issue_date"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("issue_date")),
                name="qualification_valid_after_issue",
                violation_error_message=_("The valid-until date cannot be before the issue date."),
            ),
            models.UniqueConstraint(
                fields=["person", "certificate_number"], name="unique_person_certificate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_number}（{self.issuing_body}）"

    def clean(self) -> None:
        super().clean()
        if self.valid_until and self.issue_date and self.valid_until < self.issue_date:
            raise ValidationError({"valid_until": _("The valid-until date cannot be before the issue date.")})
        self.items = [str(item).strip() for item in (self.items or []) if str(item).strip()]

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issue_date <= day and (self.valid_until is None or self.valid_until >= day)


class ApiToken(models.Model):
    """An API token: only its SHA-256 is stored; it expires, and ends with the person's password."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person"))
    digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.person} · {self.created_at:%Y-%m-%d %H:%M}"
