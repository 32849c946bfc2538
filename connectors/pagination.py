"""Vendor-neutral paging: generic loops plus readers for each envelope style.

Adapters combine one loop with one reader:

- `iter_pages(fetch_first, next_from_response)` yields pages while the reader yields a fetcher.
- `follow_links(http, path, ...)` follows "next" links (a ``Link`` header, Graph
  ``@odata.nextLink``, OData v2 ``__next``, Salesforce ``nextRecordsUrl``, HubSpot
  ``paging.next.link``) and refuses links that repeat or leave the connection's origin.
- `offset_pages(fetch, items_of, ...)` walks offset/limit APIs (ServiceNow ``sysparm_offset``,
  Jira ``startAt``, JSM ``start``, NetSuite ``offset``), stopping on a total, a has-more flag
  or a short page.

The readers (`link_header_next`, `start_at_next`...) take a decoded body or a response and return
the next link, cursor or offset, or None on the last page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import requests

from connectors.errors import BadResponseError
from connectors.http import VendorHttp, join_url

__all__ = [
    "follow_links",
    "has_more_next_offset",
    "is_last_page_next",
    "iter_pages",
    "link_header_next",
    "next_page_token",
    "next_records_url",
    "odata_next_link",
    "odata_v2_next",
    "offset_pages",
    "paging_next_after",
    "paging_next_link",
    "start_at_next",
    "total_count_header",
]

P = TypeVar("P")
T = TypeVar("T")
DEFAULT_MAX_PAGES = 10_000


def iter_pages(
    fetch_first: Callable[[], P],
    next_from_response: Callable[[P], Callable[[], P] | None],
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[P]:
    """Yield the first page, then each page `next_from_response` returns a fetcher for."""
    page = fetch_first()
    yield page
    for _ in range(max_pages - 1):
        fetch_next = next_from_response(page)
        if fetch_next is None:
            return
        page = fetch_next()
        yield page
    if next_from_response(page) is not None:
        raise BadResponseError(f"paging did not end after {max_pages} pages", vendor="pagination")


def follow_links(
    http: VendorHttp,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    next_link: Callable[[requests.Response, Any], str | None],
    items_of: Callable[[Any], Iterable[T]],
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[T]:
    """Yield the items of every page, following `next_link(response, body)` until it returns None.

    Relative links resolve against the page's URL; `VendorHttp.url_for` keeps them on the
    connection's origin. A link seen twice raises `BadResponseError` instead of looping forever.
    """
    response = http.request("GET", path, params=params)
    seen: set[str] = set()
    for _ in range(max_pages):
        body = http.json_of(response)
        yield from items_of(body)
        link = next_link(response, body)
        if not link:
            return
        url = join_url(response.url or http.url_for(path), link)
        if url in seen:
            raise BadResponseError(
                f"paging loops: next link {link!r} repeats", vendor=http.vendor, endpoint=f"GET {path}"
            )
        seen.add(url)
        response = http.request("GET", url)
    raise BadResponseError(
        f"paging did not end after {max_pages} pages", vendor=http.vendor, endpoint=f"GET {path}"
    )


def offset_pages(
    fetch: Callable[[int, int], P],
    items_of: Callable[[P], Sequence[T]],
    *,
    page_size: int,
    start: int = 0,
    total_of: Callable[[P], int | None] | None = None,
    has_more_of: Callable[[P], bool | None] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[T]:
    """Yield items from `fetch(offset, limit)` pages until the total, a has-more flag or a short page says stop."""
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")
    offset = start
    for _ in range(max_pages):
        page = fetch(offset, page_size)
        items = items_of(page)
        yield from items
        offset += len(items)
        if not items:
            return
        more = has_more_of(page) if has_more_of is not None else None
        if more is False:
            return
        total = total_of(page) if total_of is not None else None
        if total is not None and offset >= total:
            return
        if more is None and total is None and len(items) < page_size:
            return
    raise BadResponseError(f"paging did not end after {max_pages} pages", vendor="pagination")


# -- readers: response headers ---------------------------------------------------------------------


def link_header_next(response: requests.Response, body: Any = None) -> str | None:
    """The ``rel="next"`` URL of an RFC 8288 ``Link`` header (ServiceNow, Okta), or None."""
    link = response.links.get("next", {}).get("url")
    return str(link) if link else None


def total_count_header(response: requests.Response, header: str = "X-Total-Count") -> int | None:
    """A total-count header as an int (ServiceNow ``X-Total-Count``), or None when absent or garbled."""
    value = response.headers.get(header)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# -- readers: JSON envelopes ------------------------------------------------------------------------


def _dig(body: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def odata_next_link(response: requests.Response | None, body: Any) -> str | None:
    """OData v4 / Graph ``@odata.nextLink`` (absolute URL)."""
    link = _dig(body, "@odata.nextLink")
    return link if isinstance(link, str) and link else None


def odata_v2_next(response: requests.Response | None, body: Any) -> str | None:
    """OData v2 ``d.__next`` (SAP Gateway; absolute or relative URL)."""
    link = _dig(body, "d", "__next")
    return link if isinstance(link, str) and link else None


def next_records_url(response: requests.Response | None, body: Any) -> str | None:
    """Salesforce query ``nextRecordsUrl`` (a path) while ``done`` is false."""
    if not isinstance(body, dict) or body.get("done", True):
        return None
    link = body.get("nextRecordsUrl")
    return link if isinstance(link, str) and link else None


def paging_next_link(response: requests.Response | None, body: Any) -> str | None:
    """HubSpot ``paging.next.link`` (absolute URL, when the vendor supplies it)."""
    link = _dig(body, "paging", "next", "link")
    return link if isinstance(link, str) and link else None


def paging_next_after(body: Any) -> str | None:
    """HubSpot cursor ``paging.next.after`` to send as ``after`` (lists and POST searches)."""
    after = _dig(body, "paging", "next", "after")
    return str(after) if after not in (None, "") else None


def start_at_next(body: Any, items_key: str = "issues") -> int | None:
    """Jira ``startAt``/``maxResults``/``total``: the next ``startAt``, or None on the last page."""
    if not isinstance(body, dict):
        return None
    items = body.get(items_key) or []
    start = int(body.get("startAt", 0))
    total = body.get("total")
    following = start + len(items)
    if not items or (total is not None and following >= int(total)):
        return None
    return following


def next_page_token(body: Any) -> str | None:
    """Jira Cloud ``/search/jql`` ``nextPageToken`` (None once ``isLast`` or absent)."""
    if not isinstance(body, dict) or body.get("isLast"):
        return None
    token = body.get("nextPageToken")
    return token if isinstance(token, str) and token else None


def is_last_page_next(body: Any) -> int | None:
    """JSM ``{size,start,limit,isLastPage}``: the next ``start``, or None on the last page."""
    if not isinstance(body, dict) or body.get("isLastPage", True):
        return None
    size = int(body.get("size", len(body.get("values") or [])))
    return int(body.get("start", 0)) + size if size else None


def has_more_next_offset(body: Any) -> int | None:
    """NetSuite ``{hasMore,offset,count}``: the next ``offset``, or None when there is no more."""
    if not isinstance(body, dict) or not body.get("hasMore"):
        return None
    count = int(body.get("count", len(body.get("items") or [])))
    return int(body.get("offset", 0)) + count if count else None
