"""Sign-in, registration, language, profile, an organisation's own members and a person's API tokens.

Thin views: each turns the request into arguments, calls an operation (market.accounts.operations, .tokens) and
redirects. The request commits at the edge (market.transaction); a rule's error raised by an operation is
answered by the blueprint's handler (the message beside the field, the input kept)."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from market.accounts import bp, tokens
from market.accounts import operations as ops
from market.accounts.forms import (
    LoginForm,
    MemberForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    TokenForm,
)
from market.accounts.models import User
from market.accounts.queries import person as find_person
from market.confirm import Confirmation, confirmation_page, unavailable
from market.extensions import login_manager
from market.forms import ConfirmForm
from market.http import forget_cached_pages
from market.permissions import Action, authorize
from market.security import login_rate_limited, mark_login_failed, safe_next


@login_manager.user_loader
def load_user(token: str):
    return ops.load_login_session(token)


def _sign_in(user: User, remember: bool) -> None:
    """A fresh session for every sign-in; the visitor's language choice carries over when the profile has none."""
    chosen = session.get("locale")
    session.clear()
    forget_cached_pages()
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


@bp.before_app_request
def language_from_link():
    """The language links (`?lang=en` on any page): keep the choice in the session (and in a signed-in person's
    profile) and show the page in it. Any other value of `lang` is ignored. No redirect to the URL without
    `lang`: the browser may still hold that page, in the other language, for a few seconds (a visitor's page is
    public, max-age=5) and would show it again."""
    locale = request.args.get("lang")
    if request.method != "GET" or request.path.startswith("/api/") or locale not in current_app.config["LANGUAGES"]:
        return
    session["locale"] = locale
    forget_cached_pages()
    if current_user.is_authenticated:
        ops.set_locale(current_user, locale)


@bp.route("/login", methods=["GET", "POST"])
@login_rate_limited
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        refusal = ops.sign_in_refusal(user)
        if user is None:
            mark_login_failed()
        if refusal is None:
            _sign_in(user, remember=form.remember.data)
            if user.must_change_password:
                return redirect(url_for("accounts.password"))
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
        field, message = refusal
        form[field].errors.append(message)
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        ops.end_login_session(current_user.login_token)
    locale = session.get("locale")
    logout_user()
    session.clear()
    forget_cached_pages()
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
        user = ops.register_from_form(form.data)
        _sign_in(user, remember=False)
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
    forget_cached_pages()
    if current_user.is_authenticated:
        ops.set_locale(current_user, locale)
    return redirect(safe_next(request.form.get("next"), url_for("home.index")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    user = authorize(Action.EDIT, current_user._get_current_object())
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        ops.update_profile(user, name=form.name.data, phone=form.phone.data or None,
                           mail_preference=form.mail_preference.data)
        flash(_("The details of %(name)s are saved.", name=user.name), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        # Every API token and every other session of this person ends; this one goes on.
        ops.change_own_password(current_user._get_current_object(), form.current_password.data, form.password.data)
        flash(_("Your password is changed."), "success")
        return redirect(url_for("home.index"))
    return render_template("accounts/password.html", form=form)


@bp.route("/organisation/members", methods=["GET", "POST"])
@login_required
def members():
    org = authorize(Action.MANAGE_MEMBERS if request.method == "POST" else Action.VIEW, current_user.organisation)
    form = MemberForm()
    if form.validate_on_submit():
        ops.add_member(org, email=form.email.data, name=form.name.data, password=form.password.data,
                       role=form.role.data)
        flash(_("%(name)s can now sign in.", name=form.name.data), "success")
        return redirect(url_for("accounts.members"))
    return render_template("accounts/members.html", org=org, form=form, confirm=ConfirmForm())


@bp.route("/people/<int:user_id>/<any(suspend, reactivate):action>", methods=["POST"])
@login_required
def person_status(user_id: int, action: str):
    """Suspend or reactivate a person: the city office for anyone, a manager for colleagues."""
    person = authorize(Action.SUSPEND, find_person(user_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ops.set_user_active(person, action == "reactivate")
    flash(_("%(name)s is suspended and signed out.", name=person.name) if action == "suspend"
          else _("%(name)s can sign in again.", name=person.name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.members")))


@bp.route("/people/<int:user_id>/suspend")
@login_required
def confirm_suspend_person(user_id: int):
    """The confirmation page of suspending a person (it posts to `person_status`, with the list to return to)."""
    person = authorize(Action.SUSPEND, find_person(user_id))
    back = safe_next(request.args.get("next"), url_for("accounts.members"))
    if not person.active:
        return unavailable(back, _("%(name)s is already suspended.", name=person.name))
    return confirmation_page(Confirmation(
        title=_("Suspend %(name)s?", name=person.name),
        action=url_for("accounts.person_status", user_id=person.id, action="suspend"), back=back,
        button=_("Suspend"), facts=[(_("Name"), person.name), (_("Email"), person.email),
                                    (_("Organisation"), person.organisation.name)],
        consequences=[_("%(name)s is signed out at once and can no longer sign in.", name=person.name),
                      _("You can reactivate them later.")],
        hidden={"next": back}))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """Personal API tokens: made here, shown once, revoked here."""
    form = TokenForm()
    raw = None
    if form.validate_on_submit():
        _token, raw = tokens.issue_token(current_user._get_current_object(), form.name.data)
    response = make_response(render_template("accounts/tokens.html", form=form, raw=raw,
                                             tokens=tokens.tokens_of(current_user)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int):
    token = tokens.own_token(current_user, token_id)
    if token is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    tokens.revoke_token(token)
    flash(_("The token %(name)s is revoked.", name=token.name), "success")
    return redirect(url_for("accounts.api_tokens"))


@bp.route("/account/tokens/<int:token_id>/revoke")
@login_required
def confirm_revoke_api_token(token_id: int):
    """The confirmation page of revoking one of one's API tokens (it posts to `revoke_api_token`)."""
    token = tokens.own_token(current_user, token_id)
    if token is None:
        abort(404)
    back = url_for("accounts.api_tokens")
    if token.revoked_at is not None:
        return unavailable(back, _("The token is already revoked."))
    return confirmation_page(Confirmation(
        title=_("Revoke the API token “%(name)s”?", name=token.name),
        action=url_for("accounts.revoke_api_token", token_id=token.id), back=back, button=_("Revoke"),
        facts=[(_("Name"), token.name), (_("Starts with"), f"{token.prefix}…")],
        consequences=[_("Software using this token can no longer use the API; it is answered 401."),
                      _("This cannot be undone: make a new token if you need one.")]))
