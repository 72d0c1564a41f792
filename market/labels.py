"""Human names of enum values, translated; one table so pages, exports and the API say the same.

Each feature registers the names of its own enums (its `labels.py`, imported by the app factory the way
permission rules are), so this module knows no feature."""

from __future__ import annotations

import enum

from wtforms import SelectChoice

# Keyed by enum class first: StrEnum members of different enums with the same value ("other") compare equal.
LABELS: dict[type[enum.Enum], dict] = {}


def register_labels(enum_cls: type[enum.Enum], names: dict) -> None:
    """Give every member of `enum_cls` its human name (lazy gettext); a member left out is a mistake."""
    missing = [member for member in enum_cls if member not in names]
    if missing:
        raise ValueError(f"{enum_cls.__name__}: no label for {missing}")
    LABELS[enum_cls] = names


def label(value) -> str:
    if value is None:
        return ""
    return str(LABELS.get(type(value), {}).get(value, value))


def choices(enum_cls, exclude=(), blank: str | None = None) -> list[SelectChoice]:
    """Options for a select field; `blank` adds a first empty option with that label."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(m.value, LABELS[enum_cls][m]) for m in enum_cls if m not in exclude]
