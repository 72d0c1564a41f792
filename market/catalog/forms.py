"""The catalog's forms turn a request into the arguments of an operation. Every rule of a product, a stock change
or a survey row is the operation's (`catalog.rules`, `catalog.survey.checks`), so a page, the API and a command
meet the same rules; a refused form comes back with what was typed and the message beside its field. Text fields
carry their length, read from the same tables, so the browser stops there too."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from market.catalog import rules as product_rules
from market.catalog.models import Category, LinkageMode, StockReason, Unit
from market.catalog.survey.checks import TEXT_LIMITS as SURVEY_TEXT_LIMITS
from market.forms import BaseForm
from market.i18n import local_today
from market.labels import choices

_LIMITS = product_rules.PRODUCT_TEXT_LIMITS


def _date(label, **kwargs):
    return DateField(label, validators=[Optional()], format="%Y-%m-%d", **kwargs)


def _text(label, limit: int, field=StringField, **kwargs):
    return field(label, validators=[Length(max=limit)], **kwargs)


class ProductForm(BaseForm):
    name = _text(_l("Product name"), _LIMITS["name"])
    category = SelectField(_l("Category"), choices=choices(Category))
    variety = _text(_l("Variety"), _LIMITS["variety"])
    specification = _text(_l("Specification and packaging"), _LIMITS["specification"])
    unit = SelectField(_l("Unit"), choices=choices(Unit))
    price = StringField(_l("Price per unit (CNY)"))
    min_order_quantity = StringField(_l("Minimum order quantity"),
                                     default=product_rules.PRODUCT_DEFAULTS["min_order_quantity"])
    available_from = _date(_l("Available from"))
    best_before = _date(_l("Best before"))
    shelf_life_days = IntegerField(_l("Shelf life (days)"), validators=[Optional()])
    storage_note = _text(_l("Storage"), _LIMITS["storage_note"])
    description = _text(_l("Description"), _LIMITS["description"], TextAreaField)
    households_linked = StringField(_l("Poor households linked"),
                                    default=str(product_rules.PRODUCT_DEFAULTS["households_linked"]))
    linkage_mode = SelectField(_l("How households benefit"), choices=choices(LinkageMode, blank="—"), default="")
    identification_number = _text(_l("Poverty-alleviation product identification number"),
                                  _LIMITS["identification_number"])
    identification_valid_until = _date(_l("Identification valid until"))
    stranded = BooleanField(_l("Stranded: it cannot be sold through the usual channels"))
    stranded_since = _date(_l("Stranded since"))
    stranded_cause = _text(_l("Cause"), _LIMITS["stranded_cause"])

    #: The fields `operations.create_product` and `update_product` read (the form's own are not theirs).
    FIELDS = ("name", "category", "variety", "specification", "unit", "price", "min_order_quantity",
              "available_from", "best_before", "shelf_life_days", "storage_note", "description",
              "households_linked", "linkage_mode", "identification_number", "identification_valid_until",
              "stranded", "stranded_since", "stranded_cause")

    def product_fields(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class NewProductForm(ProductForm):
    opening_stock = StringField(_l("Unsold quantity now"))


class StockForm(BaseForm):
    reason = SelectField(_l("Reason"), choices=choices(StockReason, exclude=(
        StockReason.SURVEY, StockReason.ORDER_RESERVED, StockReason.ORDER_RELEASED)))
    delta = StringField(_l("Change (+ adds, − removes)"))
    note = _text(_l("Note"), product_rules.STOCK_NOTE_LIMIT)


class ReviewForm(BaseForm):
    reason = _text(_l("Reason for returning it"), product_rules.RETURN_REASON_LIMIT, TextAreaField)


class PhotoForm(BaseForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired(message=_l("Choose a picture."))])


class CartAddForm(BaseForm):
    """A quantity of a product for the cart: shown on the product page, posted to `orders.cart_add`."""

    product_id = IntegerField(validators=[DataRequired()])
    quantity = StringField(_l("Quantity"), validators=[DataRequired(message=_l("Enter the quantity."))])


class SurveyRowForm(BaseForm):
    surveyed_on = _date(_l("Survey date"), default=local_today)
    product_name = _text(_l("Product name"), SURVEY_TEXT_LIMITS["product_name"])
    variety = _text(_l("Variety"), SURVEY_TEXT_LIMITS["variety"])
    category = SelectField(_l("Category"), choices=choices(Category))
    unit = SelectField(_l("Unit"), choices=choices(Unit))
    unsold_quantity = StringField(_l("Unsold quantity"))
    enterprises = _text(_l("Enterprises involved"), SURVEY_TEXT_LIMITS["enterprises"])
    cooperatives = _text(_l("Cooperatives involved"), SURVEY_TEXT_LIMITS["cooperatives"])
    poor_households = StringField(_l("Poor households involved"), default="0")
    township = _text(_l("Township"), SURVEY_TEXT_LIMITS["township"])
    village = _text(_l("Village"), SURVEY_TEXT_LIMITS["village"])
    product_id = SelectField(_l("Listed product it counts for"), default="", validate_choice=True)

    #: The fields `operations.add_survey_row` reads.
    FIELDS = ("surveyed_on", "product_name", "variety", "category", "unit", "unsold_quantity", "enterprises",
              "cooperatives", "poor_households", "township", "village")

    def row_fields(self) -> dict:
        fields = {name: self[name].data for name in self.FIELDS}
        fields["product_id"] = int(self.product_id.data) if self.product_id.data else None
        return fields


class SurveyImportForm(BaseForm):
    file = FileField(_l("Survey file (XLSX or CSV, from the template)"),
                     validators=[FileRequired(message=_l("Choose a file."))])
