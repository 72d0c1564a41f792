"""Products of suppliers with their unsold quantity, the stock ledger, photos and the county survey."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    and_,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organisation, OrgStatus, User
from market.extensions import db
from market.i18n import local_today
from market.regions.models import County, Village
from market.types import Money, Quantity, UTCDateTime, enum_column, utcnow


class Category(enum.StrEnum):
    GRAIN_OIL = "grain_oil"
    VEGETABLES = "vegetables"
    FRUIT = "fruit"
    EDIBLE_FUNGI = "edible_fungi"
    FOREST_MOUNTAIN = "forest_mountain"  # forest and mountain produce (山货)
    LIVESTOCK = "livestock"  # livestock, poultry and eggs
    AQUATIC = "aquatic"
    MEDICINAL_HERBS = "medicinal_herbs"
    PROCESSED_FOOD = "processed_food"
    OTHER = "other"


class Unit(enum.StrEnum):
    KG = "kg"
    JIN = "jin"  # 斤, half a kilogram
    TON = "ton"
    BOX = "box"
    BAG = "bag"
    PIECE = "piece"
    BOTTLE = "bottle"
    BUNDLE = "bundle"


class LinkageMode(enum.StrEnum):
    """How the product lifts poor households' income (带贫方式)."""

    WAGE = "wage"  # households work for the producer
    ASSET = "asset"  # households hold shares or assets that earn from it
    OPERATING_INCOME = "operating_income"  # households produce and sell it themselves


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    RETURNED = "returned"


class StockReason(enum.StrEnum):
    SURVEY = "survey"  # the county's survey found this quantity
    RESTOCK = "restock"
    ORDER_RESERVED = "order_reserved"
    ORDER_RELEASED = "order_released"
    SPOILAGE = "spoilage"  # write-off of spoiled produce
    CORRECTION = "correction"  # needs a note saying why


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("unsold_quantity >= 0", name="unsold_not_negative"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("min_order_quantity > 0", name="min_order_positive"),
        Index("ix_products_county_status", "county_id", "status"),
        Index("ix_products_county_updated", "county_id", "updated_at"),
    )
    __audit_fields__ = ("status", "price", "unsold_quantity", "name", "unit")

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: The supplier's county, kept on the product so catalogs filter on one indexed column.
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[Category] = mapped_column(enum_column(Category), index=True)
    variety: Mapped[str | None] = mapped_column(String(120))
    #: Specification and packaging, e.g. "5 kg/box, vacuum packed".
    specification: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, length=20))
    #: Price of one unit in CNY.
    price: Mapped[Decimal] = mapped_column(Money)
    min_order_quantity: Mapped[Decimal] = mapped_column(Quantity)
    #: What the supplier still has to sell; only the stock ledger changes it (see operations.move_stock).
    unsold_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    available_from: Mapped[date | None] = mapped_column(Date)
    #: Perishability: a best-before date, or a shelf life in days from delivery, or both.
    best_before: Mapped[date | None] = mapped_column(Date)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    storage_note: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    #: 带动贫困户数: poor households whose income this product lifts.
    households_linked: Mapped[int] = mapped_column(Integer, default=0)
    linkage_mode: Mapped[LinkageMode | None] = mapped_column(enum_column(LinkageMode))
    #: 扶贫产品认定 number and the date until which it is valid.
    identification_number: Mapped[str | None] = mapped_column(String(60))
    identification_valid_until: Mapped[date | None] = mapped_column(Date)
    stranded: Mapped[bool] = mapped_column(default=False)
    stranded_since: Mapped[date | None] = mapped_column(Date)
    stranded_cause: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[ListingStatus] = mapped_column(enum_column(ListingStatus), default=ListingStatus.DRAFT)
    #: Why the county office returned the listing.
    return_reason: Mapped[str | None] = mapped_column(Text)
    #: Lower-cased name, variety, specification and supplier name, for substring search (pg_trgm on PostgreSQL).
    search_text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Moves on every change a visitor can see (listing, price, stock); drives ETags of catalog pages.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    supplier: Mapped[Organisation] = relationship()
    county: Mapped[County] = relationship()
    village: Mapped[Village | None] = relationship()
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", order_by="ProductPhoto.position, ProductPhoto.id", cascade="all, delete-orphan"
    )

    @property
    def identification_expired(self) -> bool:
        return self.identification_valid_until is not None and self.identification_valid_until < _today()

    @property
    def listed(self) -> bool:
        """In the catalogs: published, and its supplier is active (a suspended, rejected or pending supplier's
        products are off sale everywhere until it is active again). Anyone may see a listed product."""
        return self.status == ListingStatus.PUBLISHED and self.supplier.status == OrgStatus.ACTIVE

    def on_sale_on(self, day: date) -> bool:
        """Listed, with stock, and not carrying an expired identification: a buyer can order it."""
        return (
            self.listed
            and self.unsold_quantity > 0
            and (self.identification_valid_until is None or self.identification_valid_until >= day)
        )

    @property
    def on_sale(self) -> bool:
        return self.on_sale_on(_today())

    @classmethod
    def supplier_active_clause(cls):
        """SQL: the supplier is active. Written as "not one of the few inactive suppliers" so catalog pages stay
        a scan of products alone (no join), and the LIMIT still applies to the index scan."""
        inactive = select(Organisation.id).where(Organisation.status != OrgStatus.ACTIVE)
        return cls.supplier_id.not_in(inactive)

    @classmethod
    def listed_clause(cls):
        """SQL form of `listed`."""
        return and_(cls.status == ListingStatus.PUBLISHED, cls.supplier_active_clause())

    @classmethod
    def on_sale_clause(cls, day: date):
        """SQL form of `on_sale_on`, for catalog queries."""
        return and_(
            cls.listed_clause(),
            cls.unsold_quantity > 0,
            or_(cls.identification_valid_until.is_(None), cls.identification_valid_until >= day),
        )

    @property
    def spoils_on(self) -> date | None:
        return self.best_before

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name!r}>"


def _today() -> date:
    return local_today()


class StockEntry(db.Model):
    """One movement of a product's unsold quantity. The product's figure is always the sum of its entries."""

    __tablename__ = "stock_entries"
    __table_args__ = (CheckConstraint("delta <> 0", name="delta_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    #: Signed change in the product's unit (positive adds stock).
    delta: Mapped[Decimal] = mapped_column(Quantity)
    #: The unsold quantity right after this entry.
    balance_after: Mapped[Decimal] = mapped_column(Quantity)
    reason: Mapped[StockReason] = mapped_column(enum_column(StockReason))
    note: Mapped[str | None] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The order that reserved or released the stock, where there is one.
    order_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship()
    actor: Mapped[User | None] = relationship()


class ProductPhoto(db.Model):
    """A photo, re-encoded without its metadata; kept in the database so every app server can serve it."""

    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(30))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: SHA-256 of the stored image, used as its ETag.
    digest: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship(back_populates="photos")


class SurveyRow(db.Model):
    """A line of a county's survey of produce poor households cannot sell (measure 5.1)."""

    __tablename__ = "survey_rows"
    __table_args__ = (CheckConstraint("unsold_quantity >= 0", name="unsold_not_negative"),)
    __audit_fields__ = ("unsold_quantity", "product_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    surveyed_on: Mapped[date] = mapped_column(Date)
    product_name: Mapped[str] = mapped_column(String(120))
    variety: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[Category] = mapped_column(enum_column(Category))
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, length=20))
    unsold_quantity: Mapped[Decimal] = mapped_column(Quantity)
    #: Enterprises and cooperatives involved, as written by the surveyor.
    enterprises: Mapped[str | None] = mapped_column(String(300))
    cooperatives: Mapped[str | None] = mapped_column(String(300))
    #: Number of poor households involved.
    poor_households: Mapped[int] = mapped_column(Integer, default=0)
    township: Mapped[str | None] = mapped_column(String(80))
    village: Mapped[str | None] = mapped_column(String(80))
    #: The listed product this row counts for, when there is one; its stock follows the survey.
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()
    product: Mapped[Product | None] = relationship()
