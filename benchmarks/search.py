"""A two-character Chinese search over every county's products, as a visitor types it.

Each word below is searched once through the running gunicorn (`/catalog/all?q=…`, no cookie): the first
request for a word finds nothing rendered for it, so it runs the search itself (a count and one page over all
products). The seconds of these first requests are reported (median and slowest), with the products each word
matched. Most Chinese product words are two characters long: on PostgreSQL such a word is shorter than a
trigram, which is what the search index is made of.
"""

from __future__ import annotations

import re
import secrets
import statistics
import time
from urllib.parse import quote

import requests

from benchmarks.web import HTTP_TIMEOUT

SEARCH_PATH = "/catalog/all"
#: Two-character words a visitor would type: names seeded (benchmarks/matching.py's PRODUCE), parts of names,
#: and words that name a kind of produce without being in any name.
WORDS = ("大米", "小米", "土豆", "白菜", "苹果", "蓝莓", "木耳", "香菇", "榛蘑", "松子",
         "蜂蜜", "鸡蛋", "猪肉", "人参", "酸菜", "冷面", "有机", "清原", "蘑菇", "山货")
_TOTAL = re.compile(r'data-total="(\d+)"')


def run(base_url: str) -> dict:
    """Seconds of the first request for each word, and how many products it matched where the page says."""
    marker = secrets.token_hex(4)  # a query no earlier run has cached
    seconds, matched = [], {}
    for word in WORDS:
        url = f"{base_url}{SEARCH_PATH}?q={quote(word)}&bench={marker}"
        started = time.perf_counter()
        answer = requests.get(url, timeout=HTTP_TIMEOUT)
        seconds.append(time.perf_counter() - started)
        answer.raise_for_status()
        total = _TOTAL.search(answer.text)
        matched[word] = int(total.group(1)) if total else None
    return {
        "path": SEARCH_PATH, "words": len(WORDS),
        "median_ms": round(statistics.median(seconds) * 1000, 1), "max_ms": round(max(seconds) * 1000, 1),
        "slowest_word": WORDS[seconds.index(max(seconds))], "matched": matched,
    }
