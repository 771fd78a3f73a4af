"""The institute's set-up path on the Desk home: authorised items → a published procedure → layouts →
numbering schemes → people with roles, each step done, next or not yet, read from the database.

The Desk home gathers from every app, so this module (imported lazily by core.desk) reads their models.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.accounts.models import Person, RoleGrant
from metrology.core.permissions import PERMISSIONS, perm
from metrology.doctype.models import Item, Procedure, ProcedureVersion
from metrology.numbering.selectors import schemes_covering
from metrology.print_formats.models import Layout

DONE, NEXT, LATER = "done", "next", "later"
STATE_LABELS = {DONE: gettext_lazy("done"), NEXT: gettext_lazy("do this next"),
                LATER: gettext_lazy("not yet")}

# Someone must be able to do each of these for a record to go from data entry to a certificate.
WORK_CHAIN = ("records_enter", "records_verify", "certificates_approve")

# What an empty list of a step's model says, keyed by the model's label.
EMPTY_LIST_HINTS: dict[str, Promise] = {
    "doctype.item": gettext_lazy(
        "No measurement items yet. Add the items the institute is authorised for, with the certificate "
        "number of the authorisation, and tick “authorised”; then their procedures can be designed."),
    "doctype.procedure": gettext_lazy(
        "No procedures yet. First authorise an item under “measurement items”, then add its procedure here "
        "for a sub-type, design it in the designer and publish it."),
    "doctype.procedureversion": gettext_lazy(
        "No procedure versions yet. A version is made when a procedure is added under “procedures”."),
    "print_formats.layout": gettext_lazy(
        "No layouts yet. Once a procedure is published, upload its Word or Excel layouts here: the raw "
        "record and the certificate."),
    "numbering.numberingscheme": gettext_lazy(
        "No numbering schemes yet. Add one per item and test type for each document kind, so that records "
        "and certificates get their numbers when approved."),
}


@dataclass(frozen=True)
class SetupStep:
    code: str
    title: Promise
    done: bool
    detail: str
    url: str  # where to do it ("" when this person may not, or there is nothing to do it on yet)
    action: str
    permission: str
    state: str = LATER
    may_act: bool = True

    @property
    def state_label(self) -> Promise:
        return STATE_LABELS[self.state]

    @property
    def responsible(self) -> Promise:
        return PERMISSIONS[self.permission].label


@dataclass(frozen=True)
class SetupPath:
    steps: list[SetupStep]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)


def setup_path(user) -> SetupPath | None:
    """The set-up path as this person sees it, or None when they may do none of its steps."""
    facts = _facts()
    steps = [_items_step(facts), _procedure_step(facts), _layouts_step(facts), _numbering_step(facts),
             _people_step(facts)]
    if not any(user.has_perm(perm(step.permission)) for step in steps):
        return None
    steps = [_for_person(step, user) for step in steps]
    first_open = next((i for i, step in enumerate(steps) if not step.done), None)
    return SetupPath([replace(step, state=DONE if step.done else NEXT if i == first_open else LATER)
                      for i, step in enumerate(steps)])


def empty_list_hint(model) -> Promise | None:
    return EMPTY_LIST_HINTS.get(model._meta.label_lower)


@dataclass(frozen=True)
class _Facts:
    authorised_items: int
    procedures: list[tuple[int, bool, bool, bool]]  # (id, published, has a layout, has a numbering scheme)
    missing_chain: list[str]

    @property
    def published(self) -> list[tuple[int, bool, bool, bool]]:
        return [row for row in self.procedures if row[1]]


def _facts() -> _Facts:
    published = ProcedureVersion.objects.filter(procedure=OuterRef("pk"),
                                                status=ProcedureVersion.Status.PUBLISHED)
    layouts = Layout.objects.filter(procedure=OuterRef("pk"))
    schemes = schemes_covering(item=OuterRef("item"), sub_type=OuterRef("sub_type"),
                               parent=OuterRef("sub_type__parent"))
    procedures = list(Procedure.objects.order_by("pk").annotate(
        published=Exists(published), has_layout=Exists(layouts), numbered=Exists(schemes),
    ).values_list("pk", "published", "has_layout", "numbered"))
    grants = RoleGrant.objects.filter(code__in=WORK_CHAIN, role__is_enabled=True, role__people__is_active=True)
    held = set(grants.values_list("code", flat=True).distinct())
    return _Facts(authorised_items=Item.objects.filter(is_authorised=True).count(), procedures=procedures,
                  missing_chain=[code for code in WORK_CHAIN if code not in held])


def _items_step(facts: _Facts) -> SetupStep:
    done = facts.authorised_items > 0
    return SetupStep(
        code="items", title=gettext_lazy("Authorised items"), done=done, permission="procedures_manage",
        detail=(_("%(count)d authorised items.") % {"count": facts.authorised_items} if done else
                _("Add the measurement items the institute is authorised for, with the authorisation "
                  "certificate number.")),
        url=reverse("desk:doctype_item_changelist") if done else reverse("desk:doctype_item_add"),
        action=_("See the items") if done else _("Add an authorised item"),
    )


def _procedure_step(facts: _Facts) -> SetupStep:
    count = len(facts.published)
    if count:
        detail, url, action = (_("%(count)d procedures published.") % {"count": count},
                               reverse("desk:doctype_procedure_changelist"), _("See the procedures"))
    elif facts.procedures:
        detail, url, action = (_("A procedure is being designed; publish it once its test cases pass."),
                               reverse("desk:doctype_procedure_changelist"), _("Open the procedures"))
    else:
        detail, url, action = (_("Add the procedure of an authorised item and sub-type, design its fields, "
                                 "formulas and rules in the designer, and publish it."),
                               reverse("desk:doctype_procedure_add"), _("Add a procedure"))
    return SetupStep(code="procedure", title=gettext_lazy("Procedures"), done=count > 0,
                     permission="procedures_manage", detail=detail, url=url, action=action)


def _per_procedure_step(facts: _Facts, *, column: int, code: str, title: Promise, permission: str,
                        counted: str, missing: str, add_url: str, list_url: str, action: str) -> SetupStep:
    published = facts.published
    lacking = [row[0] for row in published if not row[column]]
    done = bool(published) and not lacking
    detail = (counted % {"bound": len(published) - len(lacking), "total": len(published)} if published
              else missing)
    url = f"{add_url}?{urlencode({'procedure': lacking[0]})}" if lacking else (list_url if published else "")
    return SetupStep(code=code, title=title, done=done, permission=permission, detail=detail, url=url,
                     action=action if lacking else _("See them"))


def _layouts_step(facts: _Facts) -> SetupStep:
    return _per_procedure_step(
        facts, column=2, code="layouts", title=gettext_lazy("Raw record and certificate layouts"),
        permission="templates_manage",
        counted=_("%(bound)d of %(total)d published procedures have a layout."),
        missing=_("Upload the Word or Excel layouts of a published procedure."),
        add_url=reverse("desk:print_formats_layout_add"),
        list_url=reverse("desk:print_formats_layout_changelist"),
        action=_("Upload a layout"))


def _numbering_step(facts: _Facts) -> SetupStep:
    return _per_procedure_step(
        facts, column=3, code="numbering", title=gettext_lazy("Numbering schemes"),
        permission="numbering_manage",
        counted=_("%(bound)d of %(total)d published procedures have a numbering scheme."),
        missing=_("Add the numbering schemes of a published procedure's item and test type."),
        add_url=reverse("desk:numbering_numberingscheme_add"),
        list_url=reverse("desk:numbering_numberingscheme_changelist"), action=_("Add a numbering scheme"))


def _people_step(facts: _Facts) -> SetupStep:
    done = not facts.missing_chain
    missing = "、".join(str(PERMISSIONS[code].label) for code in facts.missing_chain)
    return SetupStep(
        code="people", title=gettext_lazy("People and roles"), done=done, permission="people_manage",
        detail=(_("People who may enter, verify and approve records are in place.") if done else
                _("Still nobody active who may: %(missing)s. Add people and give them roles.")
                % {"missing": missing}),
        url=reverse("desk:accounts_person_changelist") if done else reverse("desk:accounts_person_add"),
        action=_("See the people") if done else _("Add a person"),
    )


def _for_person(step: SetupStep, user: Person) -> SetupStep:
    """A step this person may not do is shown read-only: its state, and who does it."""
    return step if user.has_perm(perm(step.permission)) else replace(step, url="", action="", may_act=False)
