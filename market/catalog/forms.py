from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from market import rules
from market.catalog import rules as product_rules
from market.catalog.models import Category, LinkageMode, StockReason, Unit
from market.forms import BaseForm
from market.labels import choices


class Rule:
    """Run a rule from `catalog.rules` as a validator; the field's data becomes the clean value."""

    def __init__(self, fn, **kwargs):
        self.fn = fn
        self.kwargs = kwargs

    def __call__(self, form, field):
        try:
            field.data = self.fn(field.data, **self.kwargs)
        except rules.RuleError as error:
            raise ValidationError(error.message) from None


_LIMITS = product_rules.PRODUCT_TEXT_LIMITS


def _date(label, **kwargs):
    return DateField(label, validators=[Optional()], format="%Y-%m-%d", **kwargs)


class ProductForm(BaseForm):
    name = StringField(_l("Product name"), validators=[DataRequired(message=_l("Enter the product's name.")),
                                                       Length(max=_LIMITS["name"])])
    category = SelectField(_l("Category"), choices=choices(Category))
    variety = StringField(_l("Variety"), validators=[Optional(), Length(max=_LIMITS["variety"])])
    specification = StringField(_l("Specification and packaging"), validators=[Optional(), Length(max=_LIMITS["specification"])])
    unit = SelectField(_l("Unit"), choices=choices(Unit))
    price = StringField(_l("Price per unit (CNY)"), validators=[Rule(rules.price)])
    min_order_quantity = StringField(_l("Minimum order quantity"), default=product_rules.PRODUCT_DEFAULTS["min_order_quantity"],
                                     validators=[Rule(rules.quantity)])
    available_from = _date(_l("Available from"))
    best_before = _date(_l("Best before"))
    shelf_life_days = IntegerField(_l("Shelf life (days)"), validators=[
        Optional(), NumberRange(min=product_rules.SHELF_LIFE_DAYS[0], max=product_rules.SHELF_LIFE_DAYS[1], message=_l("Between 1 and 3650 days."))])
    storage_note = StringField(_l("Storage"), validators=[Optional(), Length(max=_LIMITS["storage_note"])])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=_LIMITS["description"])])
    households_linked = StringField(_l("Poor households linked"),
                                    default=str(product_rules.PRODUCT_DEFAULTS["households_linked"]), validators=[Rule(rules.households)])
    linkage_mode = SelectField(_l("How households benefit"), choices=choices(LinkageMode, blank="—"), default="")
    identification_number = StringField(_l("Poverty-alleviation product identification number"),
                                        validators=[Optional(), Length(max=_LIMITS["identification_number"])])
    identification_valid_until = _date(_l("Identification valid until"))
    stranded = BooleanField(_l("Stranded: it cannot be sold through the usual channels"))
    stranded_since = _date(_l("Stranded since"))
    stranded_cause = StringField(_l("Cause"), validators=[Optional(), Length(max=_LIMITS["stranded_cause"])])

    def product_fields(self) -> dict:
        fields = {name: getattr(self, name).data for name in (
            "name", "variety", "specification", "price", "min_order_quantity", "available_from", "best_before",
            "shelf_life_days", "storage_note", "description", "households_linked", "identification_number",
            "identification_valid_until", "stranded", "stranded_since", "stranded_cause")}
        fields["category"] = Category(self.category.data)
        fields["unit"] = Unit(self.unit.data)
        fields["linkage_mode"] = LinkageMode(self.linkage_mode.data) if self.linkage_mode.data else None
        for key in ("variety", "specification", "storage_note", "description", "identification_number",
                    "stranded_cause"):
            fields[key] = fields[key] or None
        return fields


class NewProductForm(ProductForm):
    opening_stock = StringField(_l("Unsold quantity now"), validators=[Rule(rules.quantity, allow_zero=True)])


class StockForm(BaseForm):
    reason = SelectField(_l("Reason"), choices=choices(StockReason, exclude=(
        StockReason.SURVEY, StockReason.ORDER_RESERVED, StockReason.ORDER_RELEASED)))
    delta = StringField(_l("Change (+ adds, − removes)"), validators=[Rule(product_rules.stock_delta)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])

    def validate_delta(self, field):
        if field.errors:  # not a number: the Rule validator already said so
            return
        try:
            product_rules.stock_change_fits_reason(field.data, StockReason(self.reason.data), self.note.data)
        except rules.RuleError as error:
            raise ValidationError(error.message) from None


class ReviewForm(BaseForm):
    reason = TextAreaField(_l("Reason for returning it"), validators=[Optional(), Length(max=1000)])


class PhotoForm(BaseForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired(message=_l("Choose a picture."))])


class SurveyRowForm(BaseForm):
    surveyed_on = DateField(_l("Survey date"), format="%Y-%m-%d",
                            validators=[DataRequired(message=_l("Enter the survey date."))])
    product_name = StringField(_l("Product name"), validators=[DataRequired(message=_l("Enter the product's name.")),
                                                               Length(max=120)])
    variety = StringField(_l("Variety"), validators=[Optional(), Length(max=120)])
    category = SelectField(_l("Category"), choices=choices(Category))
    unit = SelectField(_l("Unit"), choices=choices(Unit))
    unsold_quantity = StringField(_l("Unsold quantity"), validators=[Rule(rules.quantity, allow_zero=True)])
    enterprises = StringField(_l("Enterprises involved"), validators=[Optional(), Length(max=300)])
    cooperatives = StringField(_l("Cooperatives involved"), validators=[Optional(), Length(max=300)])
    poor_households = StringField(_l("Poor households involved"), default="0", validators=[Rule(rules.households)])
    township = StringField(_l("Township"), validators=[Optional(), Length(max=80)])
    village = StringField(_l("Village"), validators=[Optional(), Length(max=80)])
    product_id = SelectField(_l("Listed product it counts for"), default="", validate_choice=True)

    def validate_surveyed_on(self, field):
        from market.i18n import local_today

        if field.data and field.data > local_today():
            raise ValidationError(_l("The survey date cannot be in the future."))

    def row_fields(self) -> dict:
        return {
            "surveyed_on": self.surveyed_on.data,
            "product_name": self.product_name.data,
            "variety": self.variety.data or None,
            "category": Category(self.category.data),
            "unit": Unit(self.unit.data),
            "unsold_quantity": self.unsold_quantity.data,
            "enterprises": self.enterprises.data or None,
            "cooperatives": self.cooperatives.data or None,
            "poor_households": self.poor_households.data,
            "township": self.township.data or None,
            "village": self.village.data or None,
            "product_id": int(self.product_id.data) if self.product_id.data else None,
        }


class SurveyImportForm(BaseForm):
    file = FileField(_l("Survey file (XLSX or CSV, from the template)"),
                     validators=[FileRequired(message=_l("Choose a file."))])
