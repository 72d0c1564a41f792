"""Signing in the way a browser does: the sign-in form's CSRF token, then the POST."""

from __future__ import annotations

import re

import requests

#: Seconds any single request of the benchmark may take.
HTTP_TIMEOUT = 60

_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
_CLIENT_TOKEN = re.compile(r'<input[^>]*name="client_token"[^>]*value="([^"]+)"')
_CART_REMOVE = re.compile(r'action="(/orders/cart/\d+/remove)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise ValueError("no CSRF token in the page")
    return match.group(1)


def client_token(html: str) -> str | None:
    match = _CLIENT_TOKEN.search(html)
    return match.group(1) if match else None


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
