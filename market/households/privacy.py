"""Masking personal data in lists: pure functions, no database."""

from __future__ import annotations


def mask_name(name: str | None) -> str:
    """张三民 → 张*民, 张三 → 张*, Li Wei → L***: enough to tell rows apart, not to name anyone."""
    name = (name or "").strip()
    if not name:
        return ""
    if name.isascii():
        return name[0] + "***"
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str:
    """13900000101 → 139****0101: the first three and last four digits kept, the digits between starred."""
    if not phone:
        return ""
    digits = [ch for ch in phone if ch.isdigit()]
    if len(digits) <= 7:
        return "*" * len(digits)
    return "".join(digits[:3]) + "*" * (len(digits) - 7) + "".join(digits[-4:])
