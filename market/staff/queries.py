"""Reads for the staff pages: the unit's staff members, its waiting requests, one of each."""

from __future__ import annotations

from sqlalchemy import select

from market.accounts.models import Organisation, Role, User
from market.extensions import db
from market.staff.models import StaffRequest, StaffRequestStatus

PER_PAGE = 50


def staff_page(org: Organisation, page: int = 1, per_page: int = PER_PAGE):
    """The unit's staff members by department and name (deactivated ones too, marked), paginated."""
    stmt = (select(User).where(User.organisation_id == org.id, User.role == Role.STAFF)
            .order_by(User.department.is_(None), User.department, User.name, User.id))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def staff_member(org: Organisation, user_id: int) -> User | None:
    """A staff member of the unit, or None (anyone else, a colleague who is not staff included)."""
    return db.session.scalar(select(User).where(User.id == user_id, User.organisation_id == org.id,
                                                User.role == Role.STAFF))


def pending_requests(org: Organisation) -> list[StaffRequest]:
    """The requests to join waiting for a manager, oldest first."""
    return list(db.session.scalars(select(StaffRequest).where(
        StaffRequest.organisation_id == org.id, StaffRequest.status == StaffRequestStatus.PENDING)
        .order_by(StaffRequest.id)))


def staff_request(request_id: int) -> StaffRequest | None:
    """The request of this id, or None; whether the caller may decide on it is `permissions`' to say."""
    return db.session.get(StaffRequest, request_id)
