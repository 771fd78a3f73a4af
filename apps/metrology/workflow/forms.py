"""Desk forms of the review chain: a transition's condition must be a formula, said at the field."""

from __future__ import annotations

from django import forms

from metrology.workflow.models import WorkflowTransition
from metrology.workflow.services import condition_problem


class TransitionForm(forms.ModelForm):
    class Meta:
        model = WorkflowTransition
        fields = ("from_state", "to_state", "action", "label", "permission", "actor", "meaning",
                  "requires_handwriting", "identity", "requires_reason", "condition", "effect", "position")
        widgets = {"condition": forms.TextInput(attrs={"size": 60})}

    def clean_condition(self) -> str:
        condition = (self.cleaned_data.get("condition") or "").strip()
        problem = condition_problem(condition)
        if problem:
            raise forms.ValidationError(problem, code="formula")
        return condition
