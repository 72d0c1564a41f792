"""Absolute links, for what is read away from the site (the bulletin feed, e-mails).

They are built from the configured PUBLIC_URL, never from the request: the Host (or X-Forwarded-Host) header
is whatever the sender wrote, and a feed or an e-mail carrying it would send readers to the sender's site.
Pages link relatively (plain `url_for`), so they need none of this; `url_for(..., _external=True)` and
`request.url`/`request.host_url` are not used for links (a test checks).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)` as an absolute URL on the configured PUBLIC_URL; works outside a request
    too (commands, jobs)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
