from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from market.accounts import bp
from market.accounts import operations as ops
from market.accounts.forms import (
    LoginForm,
    MemberForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    TokenForm,
)
from market.rules import RuleError
from market.accounts.models import BuyerSystem, BuyerType, OrgKind, OrgStatus, Role, SupplierType, User
from market.extensions import db, login_manager
from market.forms import ConfirmForm, show_error
from market.permissions import Action, authorize
from market.regions.queries import county_by_code
from market.security import login_rate_limited, mark_login_failed, safe_next


@login_manager.user_loader
def load_user(token: str):
    return ops.load_login_session(token)


def _sign_in(user: User, remember: bool) -> None:
    """A fresh session for every sign-in; the visitor's language choice carries over when the profile has none."""
    chosen = session.get("locale")
    session.clear()
    ops.start_login_session(user)
    login_user(user, remember=remember)
    if user.locale is None and chosen:
        ops.set_locale(user, chosen)
    if user.locale:
        session["locale"] = user.locale


#: Pages a person who must choose a new password may still open.
_OPEN_BEFORE_PASSWORD_CHANGE = {"accounts.password", "accounts.logout", "accounts.language", "static"}


@bp.before_app_request
def require_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _OPEN_BEFORE_PASSWORD_CHANGE
        and request.blueprint != "api"
    ):
        flash(_("Choose a new password before you go on."), "info")
        return redirect(url_for("accounts.password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
@login_rate_limited
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        if user is None:
            mark_login_failed()
            form.password.errors.append(_("The email or password is wrong."))
        elif user.organisation.status == OrgStatus.REJECTED:
            form.email.errors.append(_("The registration of your organisation was rejected: %(reason)s",
                                       reason=user.organisation.status_reason or "—"))
        elif not user.is_active:
            form.email.errors.append(_("This account or its organisation is suspended. Ask the city office."))
        else:
            _sign_in(user, remember=form.remember.data)
            db.session.commit()
            if user.must_change_password:
                return redirect(url_for("accounts.password"))
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        ops.end_login_session(current_user.login_token)
        db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have signed out."), "info")
    return redirect(url_for("home.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        kind = OrgKind(form.kind.data)
        if kind not in ops.SELF_REGISTERING_KINDS:
            abort(400)
        county = county_by_code(form.county.data)
        org_fields = {
            "name": form.organisation_name.data,
            "kind": kind,
            "county": county,
            "supplier_type": SupplierType(form.supplier_type.data) if form.supplier_type.data else None,
            "buyer_system": BuyerSystem(form.buyer_system.data) if form.buyer_system.data else None,
            "buyer_type": BuyerType(form.buyer_type.data) if form.buyer_type.data else None,
            "credit_code": form.credit_code.data or None,
            "address": form.address.data or None,
            "contact_name": form.name.data,
            "contact_phone": form.phone.data or None,
        }
        try:
            user = ops.register(
                org_fields=org_fields,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                phone=form.phone.data or None,
            )
        except ops.AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            _sign_in(user, remember=False)
            db.session.commit()
            flash(_("Registration received. You can sign in now; you can trade once your registration is approved."),
                  "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/register.html", form=form)


@bp.route("/language", methods=["POST"])
def language():
    form = ConfirmForm()
    locale = request.form.get("locale")
    if not form.validate_on_submit() or locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        ops.set_locale(current_user, locale)
        db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("home.index")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    user = authorize(Action.EDIT, current_user._get_current_object())
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        ops.update_profile(user, name=form.name.data, phone=form.phone.data or None)
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if ops.authenticate(current_user.email, form.current_password.data) is None:
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            user = current_user._get_current_object()
            # Every API token and every other session of this person ends; this one goes on.
            ops.change_password(user, form.password.data, current_session=user.login_token)
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/password.html", form=form)


@bp.route("/organisation/members", methods=["GET", "POST"])
@login_required
def members():
    org = authorize(Action.MANAGE_MEMBERS if request.method == "POST" else Action.VIEW, current_user.organisation)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            ops.create_user(
                organisation=org,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role=Role(form.role.data),
                must_change_password=True,
            )
        except ops.AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s can now sign in.", name=form.name.data), "success")
            return redirect(url_for("accounts.members"))
    return render_template("accounts/members.html", org=org, form=form, confirm=ConfirmForm())


@bp.route("/people/<int:user_id>/<any(suspend, reactivate):action>", methods=["POST"])
@login_required
def person_status(user_id: int, action: str):
    """Suspend or reactivate a person: the city office for anyone, a manager for colleagues."""
    person = authorize(Action.SUSPEND, db.session.get(User, user_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ops.set_user_active(person, action == "reactivate")
    db.session.commit()
    flash(_("%(name)s is suspended and signed out.", name=person.name) if action == "suspend"
          else _("%(name)s can sign in again.", name=person.name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.members")))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """Personal API tokens: made here, shown once, revoked here."""
    from market.api import operations as tokens

    form = TokenForm()
    raw = None
    if form.validate_on_submit():
        try:
            _token, raw = tokens.issue_token(current_user._get_current_object(), form.name.data)
        except RuleError as error:
            db.session.rollback()
            form.name.errors = [error.message]
        else:
            db.session.commit()
    response = make_response(render_template("accounts/tokens.html", form=form, raw=raw,
                                             tokens=tokens.tokens_of(current_user)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int):
    from market.api import operations as tokens
    from market.api.models import ApiToken

    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    tokens.revoke_token(token)
    db.session.commit()
    flash(_("The token is revoked."), "success")
    return redirect(url_for("accounts.api_tokens"))
