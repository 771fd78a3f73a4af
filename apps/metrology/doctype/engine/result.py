"""The result of computing a record, and its JSON rendering (numbers as decimal strings)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ..formula import format_decimal
from ..formula.records import Record
from .rules import Outcome, RuleResult


class ComputeResult(Record):
    """``values``: every value field (a grid is a list of row dicts with its computed columns);
    ``conclusion``: 检定结论 (合格 / 不合格); ``failed_items``: 不合格项目, the labels of failed rules
    in rule order."""

    __slots__ = ("values", "conclusion", "failed_items", "rules", "document_kind")

    def __init__(self, values: dict[str, Any], conclusion: str, failed_items: list[str], rules: list[RuleResult],
                 document_kind: str) -> None:  # made per record: kept direct
        self.values = values
        self.conclusion = conclusion
        self.failed_items = failed_items
        self.rules = rules
        self.document_kind = document_kind

    def to_dict(self) -> dict[str, Any]:
        """Flat Python values: the fields, then 检定结论, 不合格项目, document_kind, rule_results."""
        return {
            **self.values,
            "检定结论": self.conclusion,
            "不合格项目": list(self.failed_items),
            "document_kind": self.document_kind,
            "rule_results": self.rules,
        }

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def to_json(self) -> dict[str, Any]:
        """Like ``to_dict`` but JSON-ready: Decimal → plain decimal string, date → ISO text."""
        out = {key: to_json_value(value) for key, value in self.values.items()}
        out["检定结论"] = self.conclusion
        out["不合格项目"] = list(self.failed_items)
        out["document_kind"] = self.document_kind
        out["rule_results"] = [_rule_json(r) for r in self.rules]
        return out


def to_json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    return value


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "row": outcome.row,
        "value": to_json_value(outcome.value),
        "limit": to_json_value(outcome.limit),
        "compared": to_json_value(outcome.compared),
        "passed": outcome.passed,
    }


def _rule_json(rule: RuleResult) -> dict[str, Any]:
    out = {
        "id": rule.id,
        "label": rule.label,
        "operator": rule.operator,
        "method": rule.method,
        "interval": to_json_value(rule.interval),
        "applicable": rule.applicable,
        "passed": rule.passed,
        "value": to_json_value(rule.value),
        "limit": to_json_value(rule.limit),
        "compared": to_json_value(rule.compared),
    }
    if rule.rows is not None:
        out["rows"] = [_outcome_json(o) for o in rule.rows]
    return out
