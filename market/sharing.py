"""Sharing a page away from the site: in WeChat (Open Graph tags: a title, a line, a picture and the page's
address) and on paper (a QR code of the page's address, on the page and in its PDF).

Every address here is absolute on the configured PUBLIC_URL (`market.links.external_url`), never the Host
header: a visitor's page is kept whole and served to everyone, so what it carries must not depend on who asked
or how. The QR code is drawn by `segno` from the address alone, so the same address always gives the same code.
"""

from __future__ import annotations

import base64
import io

import segno

from market.links import external_url

#: The picture shown beside a shared page that has no photo of its own (1200 × 630, as WeChat and others crop).
SITE_IMAGE = "img/share.png"

#: How the code is made: a regular QR code (never Micro QR, which phone cameras do not read) with error
#: correction M, raised to a higher level when that costs no size (segno's `boost_error`).
QR_OPTIONS = {"error": "m", "micro": False}
#: How its SVG is written: no XML declaration, a viewBox instead of a size (the <img> and the print stylesheet
#: size it), a white background so it scans on any colour, and no class or style attribute.
SVG_OPTIONS = {"kind": "svg", "xmldecl": False, "nl": False, "omitsize": True, "svgclass": None,
               "lineclass": None, "light": "#fff"}


def qr_svg(url: str) -> bytes:
    """The QR code of `url` as an SVG document."""
    buffer = io.BytesIO()
    segno.make(url, **QR_OPTIONS).save(buffer, **SVG_OPTIONS)
    return buffer.getvalue()


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as a `data:` URI for an <img> (the CSP allows `img-src data:`; an inline <svg>
    would be as fine, but an image takes an alt text and prints as one block)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode("ascii")


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """The QR code of `url` as a black-and-white PNG, for a PDF (`scale` pixels a module, a quiet zone of 4)."""
    buffer = io.BytesIO()
    segno.make(url, **QR_OPTIONS).save(buffer, kind="png", scale=scale, dark="#000", light="#fff")
    return buffer.getvalue()


def site_image_url() -> str:
    return external_url("static", filename=SITE_IMAGE)


def page_url(endpoint: str, **values) -> str:
    """The address a shared or printed page is known by: its path on PUBLIC_URL, without the query (filters,
    a page number, a language), so everyone sharing the page shares the same address."""
    return external_url(endpoint, **values)
