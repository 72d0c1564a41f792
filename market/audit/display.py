"""Audit entries as people read them: who (name and organisation), what (in words), which object (its kind and
name, linked to its page) and the changes (field labels, enum labels, money and quantities formatted).

The words come from the registry in `market.audit.labels`, which each feature fills; the objects an entry names
are loaded once per kind for the whole page."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from market.audit import labels as registry
from market.audit.models import AuditEntry
from market.extensions import db
from market.i18n import local_datetime, localized_name, money, quantity
from market.labels import label

NOTHING = "—"


@dataclass
class Change:
    label: str
    old: str | None  # None on a creation (or for what an action notes, like a stock movement's reason): only the new
    new: str
    #: Money, quantities, dates: shown unbroken.
    nowrap: bool = False


@dataclass
class ShownEntry:
    at: datetime
    who: str
    organisation: str | None
    organisation_url: str | None
    action: str
    kind: str
    name: str
    url: str | None
    changes: list[Change] = field(default_factory=list)


def describe(entries: list[AuditEntry]) -> list[ShownEntry]:
    """`entries` (with `actor` and `actor_organisation` loaded) in words, in the same order."""
    objects = _load({(e.object_type, e.object_id) for e in entries if e.object_id is not None},
                    lambda object_type: registry.KINDS[object_type].model if object_type in registry.KINDS else None)
    references = _load(_referenced(entries), lambda model: model)
    return [_shown(entry, objects, references) for entry in entries]


def _referenced(entries) -> set:
    """(model, id) of every object a change names by id (an organisation, a county...)."""
    wanted = set()
    for entry in entries:
        for name, values in (entry.changes or {}).items():
            show = registry.field_of(entry.object_type, name).show
            if registry.is_reference(show):
                wanted |= {(show, int(v)) for v in values if isinstance(v, (int, str)) and str(v).isdigit()}
    return wanted


def _load(keys: set, model_of) -> dict:
    """{(key, id): object} for the objects that still exist, one query per kind."""
    found = {}
    for key in {k for k, _id in keys}:
        model = model_of(key)
        if model is None:
            continue
        ids = sorted({i for k, i in keys if k == key})
        stmt = select(model).where(model.id.in_(ids))
        kind = registry.KINDS.get(getattr(model, "__tablename__", ""))
        if kind is not None and kind.options is not None:
            stmt = stmt.options(*kind.options())
        found.update({(key, obj.id): obj for obj in db.session.scalars(stmt)})
    return found


def _shown(entry: AuditEntry, objects: dict, references: dict) -> ShownEntry:
    organisation, organisation_url = _named(entry.actor_organisation)
    obj = objects.get((entry.object_type, entry.object_id))
    name, url = _named(obj) if obj is not None else (_name_from_changes(entry), None)
    created = entry.action.endswith(".create")
    changes = [_change(entry.object_type, key, values, references, created)
               for key, values in (entry.changes or {}).items()]
    return ShownEntry(at=entry.at, who=entry.actor.name if entry.actor else _("system"),
                      organisation=organisation if entry.actor else None,
                      organisation_url=organisation_url if entry.actor else None,
                      action=registry.action_label(entry.action), kind=registry.kind_label(entry.object_type),
                      name=name, url=url, changes=changes)


def _named(obj) -> tuple[str | None, str | None]:
    """An object's human name and page (its kind's, when registered)."""
    if obj is None:
        return None, None
    kind = registry.KINDS.get(getattr(obj, "__tablename__", ""))
    if kind is not None:
        return kind.name(obj) or NOTHING, kind.url(obj) if kind.url else None
    if hasattr(obj, "name_zh"):
        return localized_name(obj), None
    return str(getattr(obj, "name", NOTHING)), None


def _name_from_changes(entry: AuditEntry) -> str:
    """An object no longer there (or never given an id): the name its entry recorded, else a dash."""
    values = (entry.changes or {}).get("name") or []
    return next((str(v) for v in reversed(values) if v), NOTHING)


def _change(object_type: str, key: str, values, references: dict, created: bool) -> Change:
    spec = registry.field_of(object_type, key)
    old, new = (list(values) + [None, None])[:2] if isinstance(values, (list, tuple)) else (None, values)
    kind = registry.KINDS.get(object_type)
    column = kind is not None and key in getattr(kind.model, "__audit_fields__", ())
    shown_old = None if old is None and (created or not column) else _value(spec.show, old, references)
    return Change(str(spec.label), shown_old, _value(spec.show, new, references), nowrap=spec.show in UNBROKEN)


UNBROKEN = ("money", "quantity", "percent", "date", "datetime")


def _value(show, raw, references: dict) -> str:
    if raw is None or raw == "":
        return NOTHING
    try:
        if show == "money":
            return money(raw)
        if show == "quantity":
            return quantity(raw)
        if show == "percent":
            return f"{quantity(raw)}%"
        if show == "yes_no":
            return _("yes") if raw else _("no")
        if show == "datetime":
            return local_datetime(datetime.fromisoformat(raw))
        if isinstance(show, type) and issubclass(show, enum.Enum):
            return label(show(raw))
        if registry.is_reference(show):
            name, _url = _named(references.get((show, int(raw))))
            return name or NOTHING
    except (ValueError, TypeError, ArithmeticError):
        pass
    return str(raw)
