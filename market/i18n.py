"""Language, money and time as people in Fushun read them: Chinese first, English on request, Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, session
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from market.types import CENT, utcnow

DEFAULT_LOCALE = "zh_Hans_CN"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def locale_from_header(header_languages) -> str | None:
    """Map an Accept-Language list to one of our locales: any `zh*` is Chinese, any `en*` English."""
    for lang, _quality in header_languages:
        tag = lang.lower().replace("_", "-")
        if tag.startswith("zh"):
            return "zh_Hans_CN"
        if tag.startswith("en"):
            return "en"
    return None


def select_locale() -> str:
    if not has_request_context():
        # Command-line output is for operators; documents made outside a request choose with force_locale.
        return "en"
    if request.path.startswith("/api/"):
        # The API answers in the language of Accept-Language, whoever the token belongs to.
        return locale_from_header(request.accept_languages) or DEFAULT_LOCALE
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return locale_from_header(request.accept_languages) or DEFAULT_LOCALE


def current_locale() -> str:
    return str(get_locale()) if has_request_context() else DEFAULT_LOCALE


def is_english() -> bool:
    return current_locale().startswith("en")


def money(amount: Decimal | int | str | None) -> str:
    """¥1,234.50 in both languages (Babel's English pattern would write CN¥)."""
    if amount is None:
        return ""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def quantity(amount: Decimal | int | str | None) -> str:
    """1,200 or 12.5: a quantity without trailing zeros, with thousands separators."""
    if amount is None:
        return ""
    value = Decimal(str(amount))
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def local_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt)


def local_today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def localized_name(obj) -> str:
    """Name of a county, village or anything with name_zh/name_en, in the current language."""
    if obj is None:
        return ""
    return obj.name_en if is_english() else obj.name_zh
