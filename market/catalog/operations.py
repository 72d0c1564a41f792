"""Writes for products, stock, photos and the survey. They flush, never commit."""

from __future__ import annotations

import hashlib
import io
import warnings
from decimal import Decimal

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from market.accounts.models import Organisation, OrgKind, User
from market.audit.operations import entry_row, insert_entries
from market.catalog import notices
from market.catalog import rules as product_rules
from market.catalog.models import ListingStatus, Product, ProductPhoto, StockEntry, StockReason, SurveyRow, Unit
from market.catalog.survey import checks as survey_checks
from market.extensions import db
from market.labels import label
from market.i18n import local_today
from market.i18n import quantity as quantity_text
from market.regions.models import County
from market.rules import RuleError, date_order, quantity
from market.state import change_state
from market.types import utcnow

#: Fields a supplier sets on a product (everything but stock, status and who owns it).
PRODUCT_FIELDS = (
    "name", "category", "variety", "specification", "unit", "price", "min_order_quantity", "available_from",
    "best_before", "shelf_life_days", "storage_note", "description", "households_linked", "linkage_mode",
    "identification_number", "identification_valid_until", "stranded", "stranded_since", "stranded_cause",
    "village_id",
)

PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_MAX_SIDE = 2000
THUMBNAIL_SIDE = 400
MAX_PHOTOS = 6


class StockShortage(RuleError):
    """Taking the quantity would leave the product below zero."""

    def __init__(self, product: Product, wanted: Decimal, field: str = "quantity"):
        super().__init__(_("Only %(left)s %(unit)s of %(name)s left; the %(wanted)s %(unit)s you entered are kept.",
                           left=quantity_text(product.unsold_quantity), unit=label(product.unit), name=product.name,
                           wanted=quantity_text(wanted)), field)
        self.product = product
        self.wanted = wanted


def _check_dates(fields: dict) -> None:
    if fields.get("identification_valid_until") and not fields.get("identification_number"):
        # A validity date vouches for an identification; alone it vouches for nothing.
        raise RuleError(_("Enter the identification number too."), "identification_valid_until")
    date_order(fields.get("available_from"), fields.get("best_before"),
               _("The best-before date cannot come before the available-from date."), "best_before")
    if fields.get("stranded") and not fields.get("stranded_since"):
        raise RuleError(_("Say since when the produce cannot be sold."), "stranded_since")
    if fields.get("stranded") and fields["stranded_since"] > local_today():
        raise RuleError(_("The stranded-since date cannot be in the future."), "stranded_since")


def _search_text(product: Product, supplier: Organisation) -> str:
    parts = [product.name, product.variety, product.specification, supplier.name]
    return " ".join(p for p in parts if p).lower()


def create_product(supplier: Organisation, actor: User, fields: dict, opening_stock) -> Product:
    """A draft listing with its opening stock recorded in the ledger. `fields` and `opening_stock` are read
    through the product's rules (`catalog.rules`), as a page, the API or a command sent them."""
    if supplier.kind != OrgKind.SUPPLIER or supplier.county_id is None:
        raise RuleError(_("Only a supplier with a county can list products."))
    if not supplier.is_active:  # pending, returned or suspended: the city office has not (or no longer) approved it
        raise RuleError(_("Only an approved supplier lists products."))
    fields = product_rules.new_product_fields(fields)
    opening_stock = product_rules.with_field("opening_stock", quantity,
                                             "0" if opening_stock is None else opening_stock, allow_zero=True)
    _check_dates(fields)
    product = Product(supplier=supplier, county_id=supplier.county_id, status=ListingStatus.DRAFT,
                      unsold_quantity=Decimal("0"), **{k: fields.get(k) for k in PRODUCT_FIELDS if k in fields})
    if product.village_id is None:
        product.village_id = supplier.village_id
    if not product.stranded:
        product.stranded_since = product.stranded_cause = None
    product.search_text = _search_text(product, supplier)
    db.session.add(product)
    db.session.flush()
    if opening_stock > 0:
        move_stock(product, opening_stock, StockReason.RESTOCK, actor=actor, note=_("Opening stock"))
    return product


#: What a buyer relies on when ordering, or what the county vouches for when it publishes: a change to any of
#: these on a published product sends it back to the county's review. Stock, dates, storage, the stranded flag
#: and the free description do not (the order records name, unit and price; the county reviews the rest).
REVIEWED_FIELDS = (
    "name", "category", "variety", "specification", "unit", "price", "min_order_quantity", "households_linked",
    "linkage_mode", "identification_number", "identification_valid_until",
)


def _normalised(value):
    return value.strip() or None if isinstance(value, str) else value


def review_changes(product: Product, fields: dict) -> list[str]:
    """The reviewed fields `fields` would change on `product`, in REVIEWED_FIELDS order."""
    return [key for key in REVIEWED_FIELDS
            if key in fields and _normalised(fields[key]) != _normalised(getattr(product, key))]


def update_product(product: Product, actor: User, fields: dict) -> bool:
    """Change a listing. A change a buyer relies on (REVIEWED_FIELDS) to a published product sends it back to
    the county's review; returns True then. `fields` are read through the product's rules, like a new one's."""
    fields = product_rules.product_fields(fields)
    merged = {k: fields.get(k, getattr(product, k)) for k in PRODUCT_FIELDS}
    _check_dates(merged)
    changed = review_changes(product, fields)
    loaded_status = product.status
    for key in PRODUCT_FIELDS:
        if key in fields:
            setattr(product, key, fields[key])
    if not product.stranded:
        product.stranded_since = product.stranded_cause = None
    product.search_text = _search_text(product, product.supplier)
    product.updated_at = utcnow()
    back_to_review = bool(changed) and loaded_status == ListingStatus.PUBLISHED
    if back_to_review:
        change_state(product, [ListingStatus.PUBLISHED], ListingStatus.SUBMITTED, submitted_at=utcnow())
    elif changed:
        # Not published when read: make sure it was not published meanwhile, or the change would skip review.
        change_state(product, [loaded_status], loaded_status)
    db.session.flush()
    return back_to_review


def submit_product(product: Product) -> None:
    if product.status not in (ListingStatus.DRAFT, ListingStatus.RETURNED):
        raise RuleError(_("Only a draft or a returned listing can be submitted."))
    change_state(product, [ListingStatus.DRAFT, ListingStatus.RETURNED], ListingStatus.SUBMITTED,
                 submitted_at=utcnow(), return_reason=None)
    notices.tell_of_submission(product)


def review_product(product: Product, reviewer: User, *, approve: bool, reason: str | None = None) -> None:
    if product.status != ListingStatus.SUBMITTED:
        raise RuleError(_("Only a listing awaiting review can be approved or returned."))
    reason = product_rules.text(reason, product_rules.RETURN_REASON_LIMIT, "reason")
    if not approve and not reason:
        raise RuleError(_("Say why the listing is returned."), "reason")
    # One decision, even when two reviewers press their buttons at the same moment: the second finds it decided.
    now = utcnow()
    if approve:
        change_state(product, [ListingStatus.SUBMITTED], ListingStatus.PUBLISHED,
                     published_at=product.published_at or now, return_reason=None, updated_at=now)
    else:
        change_state(product, [ListingStatus.SUBMITTED], ListingStatus.RETURNED, return_reason=reason,
                     updated_at=now)
    notices.tell_of_review(product)


def withdraw_product(product: Product) -> None:
    """The supplier takes a listing off the catalog; it stays as a draft with its stock and history."""
    if product.status not in (ListingStatus.PUBLISHED, ListingStatus.SUBMITTED):
        raise RuleError(_("Only a published or submitted listing can be withdrawn."))
    change_state(product, [ListingStatus.PUBLISHED, ListingStatus.SUBMITTED], ListingStatus.DRAFT,
                 updated_at=utcnow())


def move_stock(product: Product, delta: Decimal, reason: StockReason, *, actor: User | None = None,
               note: str | None = None, order_id: int | None = None) -> StockEntry:
    """The only way unsold quantity changes: one conditional UPDATE plus its ledger entry, in the caller's
    transaction. The UPDATE refuses to go below zero, so two concurrent takers can never oversell."""
    entry, audit_row = stock_moved(product, delta, reason, actor=actor, note=note, order_id=order_id)
    db.session.add(entry)
    db.session.flush()
    insert_entries(db.session, [audit_row])
    return entry


def stock_moved(product: Product, delta: Decimal, reason: StockReason, *, actor: User | None = None,
                note: str | None = None, order_id: int | None = None) -> tuple[StockEntry, dict]:
    """`move_stock`'s conditional UPDATE, returning its ledger entry and audit row unwritten: a caller moving
    many products' stock (placing an order) writes all of them with multi-row INSERTs."""
    if delta == 0:
        raise RuleError(_("A stock change cannot be zero."))
    if reason == StockReason.CORRECTION and not (note or "").strip():
        raise RuleError(_("Say why the stock is corrected."), "note")
    new_balance = db.session.execute(
        update(Product)
        .where(Product.id == product.id, Product.unsold_quantity + delta >= 0)
        .values(unsold_quantity=Product.unsold_quantity + delta, updated_at=utcnow())
        .returning(Product.unsold_quantity)
        .execution_options(synchronize_session=False)
    ).scalar()
    if new_balance is None:
        db.session.refresh(product, ["unsold_quantity"])
        raise StockShortage(product, -delta, "delta")
    old_balance = new_balance - delta
    set_committed_value(product, "unsold_quantity", new_balance)
    entry = StockEntry(product_id=product.id, delta=delta, balance_after=new_balance, reason=reason,
                       note=(note or "").strip() or None, actor_id=actor.id if actor else None, order_id=order_id)
    return entry, entry_row("products.stock", Product.__tablename__, product.id,
                            {"unsold_quantity": [str(old_balance), str(new_balance)], "reason": [None, reason.value]})


def record_stock_change(product: Product, actor: User, delta, reason, note: str | None = None) -> StockEntry:
    """A supplier's own stock entry (restock, spoilage, correction); pages and the API both come here, with the
    change as typed and the reason as a StockReason or its value."""
    delta = product_rules.with_field("delta", product_rules.stock_delta, delta)
    note = product_rules.text(note, product_rules.STOCK_NOTE_LIMIT, "note")
    product_rules.stock_change_fits_reason(delta, reason, note)
    return move_stock(product, delta, StockReason(getattr(reason, "value", reason)), actor=actor, note=note)


def set_stock(product: Product, target: Decimal, reason: StockReason, *, actor: User | None = None,
              note: str | None = None) -> StockEntry | None:
    """Bring the unsold quantity to `target` with one ledger entry (the survey does this)."""
    db.session.refresh(product, ["unsold_quantity"])
    delta = target - product.unsold_quantity
    if delta == 0:
        return None
    return move_stock(product, delta, reason, actor=actor, note=note)


def ledger_balance(product: Product) -> Decimal:
    """Sum of the product's ledger; always equal to its unsold quantity."""
    total = db.session.scalar(select(func.coalesce(func.sum(StockEntry.delta), 0)).where(
        StockEntry.product_id == product.id))
    return Decimal(total) if isinstance(total, int) else total


# --- photos -----------------------------------------------------------------------------------------------


#: Largest photo accepted, in pixels (40 megapixels, a phone camera's full size with room to spare): decoding
#: holds every pixel in memory, so a small file declaring a huge picture is refused from its header alone.
MAX_PHOTO_PIXELS = 40_000_000


def _read_image(data: bytes) -> Image.Image:
    """Open an upload as an image of an allowed format, judged by its content, never by its name. The size
    comes from the header (`Image.open` does not decode), so a picture with too many pixels is refused before
    its pixels are read; Pillow's own bomb check (far above our limit) is an error too, never a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            size = image.size
            if size[0] * size[1] <= MAX_PHOTO_PIXELS:
                image.verify()  # structure check; the object is unusable afterwards
                image = Image.open(io.BytesIO(data))
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise RuleError(_("This file is not a JPEG, PNG or WebP picture."), "photo") from None
    if size[0] * size[1] > MAX_PHOTO_PIXELS:
        raise _too_many_pixels(*size)
    if image.format not in PHOTO_FORMATS:
        raise RuleError(_("This file is not a JPEG, PNG or WebP picture."), "photo")
    return image


def _too_many_pixels(width: int | None = None, height: int | None = None) -> RuleError:
    limit = MAX_PHOTO_PIXELS // 1_000_000
    if width is None:
        message = _("This picture has too many pixels: at most %(max)s megapixels. Make it smaller and try again.",
                    max=limit)
    else:
        message = _("This picture has %(width)s × %(height)s pixels, more than %(max)s megapixels. Make it "
                    "smaller and try again.", width=width, height=height, max=limit)
    return RuleError(message, "photo")


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def add_photo(product: Product, data: bytes) -> ProductPhoto:
    """Store a photo re-encoded from its pixels only, so EXIF (GPS location, camera, time) is gone."""
    if len(product.photos) >= MAX_PHOTOS:
        raise RuleError(_("A product can have at most %(n)s photos.", n=MAX_PHOTOS), "photo")
    image = _read_image(data)
    fmt = image.format
    image = ImageOps.exif_transpose(image)  # keep the picture upright once the orientation tag is dropped
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    clean = image.copy()
    clean.info = {}  # no EXIF, XMP, comments or ICC data travel on
    clean.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    stored = _encode(clean, fmt)
    thumb = clean.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    photo = ProductPhoto(
        product=product,
        content_type=PHOTO_FORMATS[fmt],
        width=clean.width,
        height=clean.height,
        data=stored,
        thumbnail=_encode(thumb, fmt),
        digest=hashlib.sha256(stored).hexdigest(),
        position=len(product.photos),
    )
    db.session.add(photo)
    product.updated_at = utcnow()
    db.session.flush()
    return photo


def remove_photo(photo: ProductPhoto) -> None:
    photo.product.updated_at = utcnow()
    db.session.delete(photo)
    db.session.flush()


# --- survey ---------------------------------------------------------------------------------------------------


def add_survey_row(county: County, actor: User, fields: dict) -> SurveyRow:
    """Record one survey line, read through the survey's rules (`catalog.survey.checks`); when it names a listed
    product of the county, its stock follows the survey."""
    row = SurveyRow(county_id=county.id, created_by_id=actor.id, **survey_checks.row_fields(fields))
    if row.product_id is not None:
        product = surveyed_product(county, row.product_id, row.unit)
        set_stock(product, row.unsold_quantity, StockReason.SURVEY, actor=actor,
                  note=_("Survey of %(day)s", day=row.surveyed_on.isoformat()))
    db.session.add(row)
    db.session.flush()
    return row


def surveyed_product(county: County, product_id: int, unit: Unit) -> Product:
    """The product a survey row counts for: one of the county's, surveyed in the unit it is sold by."""
    product = db.session.get(Product, product_id)
    if product is None or product.county_id != county.id:
        raise RuleError(_("Product %(id)s is not a product of this county.", id=product_id), "product_id")
    if product.unit != unit:
        raise RuleError(_("%(name)s is sold by %(unit)s; survey it in the same unit.",
                          name=product.name, unit=_unit_label(product.unit)), "unit")
    return product


def _unit_label(unit) -> str:
    return label(unit)
