"""The CSRF-protected base every form in the product derives from."""

from flask import flash, g, get_flashed_messages
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from market.numbers import MAX_ID
from market.rules import RuleError
from market.transaction import take_kept_input


class BaseForm(FlaskForm):
    """Strips surrounding whitespace from every text input, and keeps what was typed when a rule refuses it.

    A form that validated is remembered for the request; if an operation then raises `RuleError`, the page
    handler (`market.transaction.rule_error_page`) keeps its input and sends the browser back, and the same form
    built on that page again shows the input with the message next to the field it names."""

    def __init__(self, *args, **kwargs):
        kept = None
        if not args and "formdata" not in kwargs:
            kept = take_kept_input(type(self).__name__)
            if kept and kept["data"]:
                kwargs["formdata"] = MultiDict([tuple(pair) for pair in kept["data"]])
        super().__init__(*args, **kwargs)
        if kept and kept.get("field") and kept["field"] in self._fields:
            field = self._fields[kept["field"]]
            field.errors = list(field.errors) + [kept["message"]]
        self.kept = kept

    def validate_on_submit(self, extra_validators=None) -> bool:
        valid = super().validate_on_submit(extra_validators=extra_validators)
        if valid:
            g.submitted_form = type(self).__name__
        return valid

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if unbound_field.field_class.__name__ in {"StringField", "TextAreaField", "EmailField", "TelField"}:
                filters.append(lambda v: v.strip() if isinstance(v, str) else v)
            if unbound_field.field_class.__name__ not in {"FieldList", "FormField"}:  # they take no filters
                filters.append(within_bounds)
            return unbound_field.bind(form=form, filters=filters, **options)


def within_bounds(value):
    """A filter on every field: a whole number parsed by WTForms (IntegerField, `coerce=int`) beyond what an id
    column holds is refused beside its field, before a validator or the database sees it."""
    numbers = value if isinstance(value, list) else [value]
    if any(isinstance(n, int) and not isinstance(n, bool) and not -MAX_ID <= n <= MAX_ID for n in numbers):
        raise ValueError(_("This number is too large."))
    return value


class ConfirmForm(BaseForm):
    """A bare form for buttons that change something: it carries only the CSRF token."""


def refuse(form) -> None:
    """A small form posted from another page did not validate: answered as a rule's refusal (the page handler
    sends the browser back with what was typed kept and the first error beside its field)."""
    g.submitted_form = type(form).__name__
    for field in form:
        if field.errors:
            raise RuleError(str(field.errors[0]), field.name)
    raise RuleError(_("The request could not be understood. Reload the page and try again."))


def flash_form_errors(form) -> None:
    """Show a form's field errors as messages on the page the request returns to: for small forms posted from
    a page that is redirected back to (a reason with a button, a quantity to add to the cart)."""
    for field in form:
        for error in field.errors:
            flash(_("%(field)s: %(error)s", field=field.label.text, error=error) if field.label.text else error,
                  "error")


def shown_beside_field(message) -> str:
    """Called by the `field` macro for each error it shows beside its field: the same message flashed by the
    page handler (`rule_error_page`) is then not repeated at the top of the page. Returns nothing to show."""
    g.setdefault("shown_beside_fields", set()).add(str(message))
    return ""


def messages_to_show() -> list[tuple[str, str]]:
    """The flashed messages for the top of the page, less the errors the page's forms showed beside a field
    (called by the base template after rendering the page's content)."""
    shown = g.get("shown_beside_fields", set())
    return [(category, message) for category, message in get_flashed_messages(with_categories=True)
            if not (category == "error" and str(message) in shown)]
