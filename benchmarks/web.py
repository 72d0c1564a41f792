"""Signing in the way a browser does: the sign-in form's CSRF token, then the POST."""

from __future__ import annotations

import re
from html import unescape as html_unescape

import requests

#: Seconds any single request of the benchmark may take.
HTTP_TIMEOUT = 60

_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
_CART_REMOVE = re.compile(r'action="(/orders/cart/\d+/remove)"')
_PLACE_FORM = re.compile(r'<form[^>]*action="/orders/place"[^>]*>(.*?)</form>', re.DOTALL)
_INPUT = re.compile(r"<input[^>]*>")
_ATTRIBUTE = re.compile(r'\b(type|name|value)="([^"]*)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise ValueError("no CSRF token in the page")
    return match.group(1)


def place_form(html: str) -> dict[str, str]:
    """The hidden fields of the cart page's "place" form, as the browser sends them: the one-time client token
    and the price and unit shown for each line (placing refuses a cart the page did not show)."""
    form = _PLACE_FORM.search(html)
    fields = {}
    for tag in _INPUT.findall(form.group(1) if form else ""):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = html_unescape(attributes.get("value", ""))
    return fields


def cart_remove_paths(html: str) -> list[str]:
    return _CART_REMOVE.findall(html)


def sign_in(base_url: str, email: str, password: str) -> requests.Session:
    """A requests session signed in as `email`; raises when the sign-in does not succeed."""
    session = requests.Session()
    form = session.get(f"{base_url}/login", timeout=HTTP_TIMEOUT)
    form.raise_for_status()
    answer = session.post(f"{base_url}/login", timeout=HTTP_TIMEOUT, allow_redirects=False,
                          data={"email": email, "password": password, "csrf_token": csrf_token(form.text)})
    if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
        raise RuntimeError(f"sign-in as {email} failed: {answer.status_code}")
    return session


def sign_in_test_client(client, email: str, password: str) -> None:
    """The same with Flask's test client (for counting statements in-process)."""
    form = client.get("/login")
    if form.status_code != 200:
        raise RuntimeError(f"GET /login answered {form.status_code} in-process")
    answer = client.post("/login", data={"email": email, "password": password,
                                         "csrf_token": csrf_token(form.get_data(as_text=True))})
    if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
        raise RuntimeError(f"sign-in as {email} failed: {answer.status_code}")
