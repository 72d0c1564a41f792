"""The text of every kind of message, in one table: each feature registers its own kinds (its `notices.py`,
imported by the app factory the way labels are), so this package knows no feature."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    #: A lazy gettext text with %(name)s values, rendered in the reader's language when read.
    text: object
    #: Whether the message asks its reader to do something (the "only those needing action" e-mail preference).
    needs_action: bool = False


KINDS: dict[str, Kind] = {}


def register_kind(kind: str, text, *, needs_action: bool = False) -> None:
    if kind in KINDS and KINDS[kind].text != text:
        raise ValueError(f"message kind {kind!r} registered twice")
    KINDS[kind] = Kind(text, needs_action)


def render(kind: str, params: dict) -> str:
    """The message's text in the current language; a kind no longer known shows its key."""
    known = KINDS.get(kind)
    if known is None:
        return kind
    text = str(known.text)
    try:
        return text % params if params else text.replace("%%", "%")
    except (KeyError, TypeError, ValueError):
        return text


def needs_action(kind: str) -> bool:
    known = KINDS.get(kind)
    return bool(known and known.needs_action)
