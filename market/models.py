"""Imports every model module so metadata (migrations, tests) sees all tables."""

from market.accounts.models import ApiToken, LoginSession, Organisation, User  # noqa: F401
from market.audit.models import AuditEntry  # noqa: F401
from market.delivery.models import DeliveryAddress  # noqa: F401
from market.pairing.models import SystemPairing, VillagePairing  # noqa: F401
from market.regions.models import County, Village  # noqa: F401
from market.bulletins.models import BulletinIssue, BulletinItem  # noqa: F401
from market.catalog.models import Product, ProductPhoto, StockEntry, SurveyRow  # noqa: F401
from market.orders.models import BulkOrder, CartItem, Order, OrderEvent, OrderLine  # noqa: F401
from market.payments.models import Payment, Refund, WebhookEvent  # noqa: F401
from market.shares.models import ReservedShare, ShareCoverage  # noqa: F401
from market.agreements.models import Agreement, AgreementDelivery, AgreementLine, AgreementVersion  # noqa: F401
from market.demands.models import Demand  # noqa: F401
from market.pledges.models import Pledge  # noqa: F401
from market.invoices.models import BankAccount, Invoice, InvoiceDetails, InvoiceRequest, Settlement  # noqa: F401
from market.notifications.models import Notification  # noqa: F401
from market.rounds.models import PurchaseRound, RoundProduct, RoundSignup, SharePayment, SignupLine  # noqa: F401
from market.staff.models import StaffInvitation, StaffRequest  # noqa: F401
from market.households.models import Household, HouseholdUpload  # noqa: F401
