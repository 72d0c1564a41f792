"""The README's nginx configuration (deploy/nginx-market.conf), run for real in front of two app servers: a
visitor's catalog is cached by nginx, a change shows within its max-age, a signed-in person is never served from
the cache, and the cached page is still served while both app servers are down."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "nginx-market.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(NGINX is None and os.environ.get("CI") != "true", reason="nginx not installed")


def test_the_readme_shows_the_tested_configuration():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert CONF.read_text(encoding="utf-8").strip() in readme


def _site_config(tmp: Path, listen: int, upstreams: list[int]) -> str:
    """deploy/nginx-market.conf with this machine's paths and ports in place of the production ones."""
    text = CONF.read_text(encoding="utf-8")
    text = text.replace("/var/cache/nginx/market", str(tmp / "cache"))
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in upstreams)
    text = re.sub(r"(    server 10\.0\.0\.\d+:8000[^\n]*\n)+", servers, text)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{listen};").replace("server_name market.example.cn;",
                                                                           "server_name localhost;")
    return text.replace("alias /srv/market/static/;", f"alias {ROOT / 'static'}/;")


class AppServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture()
def nginx_in_front(app, tmp_path):
    assert NGINX, "nginx is not installed"
    servers = [AppServer(app), AppServer(app)]
    port = free_port()
    for name in ("cache", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    (tmp_path / "market.conf").write_text(_site_config(tmp_path, port, [s.port for s in servers]))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/fastcgi;\n  uwsgi_temp_path {tmp_path}/uwsgi;\n"
        f"  scgi_temp_path {tmp_path}/scgi;\n  include {tmp_path}/market.conf;\n}}\n")
    process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(base + "/static/css/site.css", timeout=1).status_code in (200, 404)
        except requests.RequestException:
            return False

    try:
        assert wait_until(answers, timeout=10), (tmp_path / "error.log").read_text() if (
            tmp_path / "error.log").exists() else "nginx did not start"
        yield base, servers
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in servers:
            if server.thread.is_alive():
                server.stop()


def _unsold(html: str, name: str) -> str | None:
    """The unsold quantity the catalog shows beside a product (digits with separators), or None."""
    index = html.find(name)
    if index < 0:
        return None
    match = re.search(r'class="unsold"[^<]*<strong>([\d,.]+)</strong>', html[index:index + 3000])
    return match.group(1).replace(",", "") if match else None


def test_nginx_caches_visitors_pages_shows_changes_within_max_age_and_serves_them_while_the_app_is_down(
        app, db, people, nginx_in_front):
    from decimal import Decimal

    from market.catalog import operations as catalog_ops
    from market.catalog.models import Product
    from tests.factories import make_product, user_by_email

    base, servers = nginx_in_front
    product_id = make_product(app, db, people, stock="4321", name="椴树雪蜜")
    url = base + "/catalog/qingyuan"

    first = requests.get(url, timeout=5)
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"] == "public, max-age=5" and "X-Accel-Expires" not in first.headers
    assert _unsold(first.text, "椴树雪蜜") == "4321"
    second = requests.get(url, timeout=5)
    assert second.headers.get("X-Cache-Status") == "HIT"
    # A signed-in person (a session cookie) is never answered from the shared cache.
    assert requests.get(url, cookies={"session": "x"}, timeout=5).headers.get("X-Cache-Status") == "BYPASS"

    with app.app_context(), app.test_request_context("/"):
        supplier = user_by_email(db, people["supplier_qingyuan"])
        catalog_ops.record_stock_change(db.session.get(Product, product_id), supplier, Decimal("1000"), "restock")
        db.session.commit()
    changed_at = time.monotonic()
    seen = None
    while time.monotonic() - changed_at < 10:
        seen = _unsold(requests.get(url, timeout=5).text, "椴树雪蜜")
        if seen == "5321":
            break
        time.sleep(0.25)
    assert seen == "5321" and time.monotonic() - changed_at <= 5.5  # max-age=5, and a moment to fetch

    for server in servers:
        server.stop()
    down = requests.get(url, timeout=10)
    assert down.status_code == 200 and _unsold(down.text, "椴树雪蜜") == "5321"
    assert down.headers.get("X-Cache-Status") in ("STALE", "HIT", "UPDATING")
