"""What the audit log's codes mean in words: one registry of object kinds, their actions and their fields.

An entry stores codes (`orders.update`, the table `orders`, `{"payment_status": ["unpaid", "paid"]}`); the page
shows "changed an order", "Order", the order's reference linked to its page and "Payment: Unpaid → Paid". Each
feature registers its own audited models here (its `labels.py`, imported by the app factory, like
`market.labels`), so the audit package knows no feature. `tests/test_audit_log.py` checks that every action the
code records has its words.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

#: How a field's stored value is shown: "money", "quantity", "percent", "yes_no", "date", "datetime", "text",
#: an enum class (through its label) or a model class (a reference by id: the object's name, linked when its
#: kind is registered).
Show = Any


@dataclass
class Field:
    label: Any
    show: Show = "text"


@dataclass
class Kind:
    object_type: str
    model: type
    label: Any
    #: The object's human name (an order's reference, a product's name...).
    name: Callable[[Any], str]
    #: The object's page, or None.
    url: Callable[[Any], str | None] | None = None
    #: Loader options for what `name` and `url` read (relationships), so a page of entries loads each kind once.
    options: Callable[[], list] | None = None
    fields: dict[str, Field] = field(default_factory=dict)


#: By table name (an entry's `object_type`).
KINDS: dict[str, Kind] = {}
#: By the full action name an entry stores (`orders.create`).
ACTIONS: dict[str, Any] = {}


def register_kind(model: type, label, *, name: Callable, actions: dict, url: Callable | None = None,
                  options: Callable | None = None, fields: dict | None = None) -> None:
    """Give an audited model its words: its kind (`label`), how to name one, each verb recorded for it (at
    least `create` and `update`; the flush's own verbs), and each audited field's label and way of showing
    (`fields` may also name what an action records beside the columns, e.g. a stock movement's reason)."""
    object_type = model.__tablename__
    audited = getattr(model, "__audit_fields__", ())
    fields = {key: value if isinstance(value, Field) else Field(*value) for key, value in (fields or {}).items()}
    missing = [name_ for name_ in audited if name_ not in fields]
    if missing:
        raise ValueError(f"{object_type}: no label for the audited fields {missing}")
    if audited and not {"create", "update"} <= set(actions):
        raise ValueError(f"{object_type}: say in words what creating and changing one is")
    KINDS[object_type] = Kind(object_type, model, label, name, url, options, fields)
    for verb, text in actions.items():
        ACTIONS[f"{object_type}.{verb}"] = text


#: Verbs for an action no feature named (a delete of a kind that registered none, an entry older than the code).
VERBS = {"create": _l("created"), "update": _l("changed"), "delete": _l("deleted")}


def action_label(action: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    verb = action.rpartition(".")[2]
    return str(VERBS.get(verb, _l("changed")))


def kind_label(object_type: str) -> str:
    kind = KINDS.get(object_type)
    return str(kind.label) if kind else str(_l("Other record"))


def field_of(object_type: str, name: str) -> Field:
    kind = KINDS.get(object_type)
    if kind and name in kind.fields:
        return kind.fields[name]
    return Field(_l("Other detail"))


def is_reference(show: Show) -> bool:
    return isinstance(show, type) and not issubclass(show, enum.Enum)
