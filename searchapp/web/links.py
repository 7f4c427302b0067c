"""Links that change one thing in the search state (the query string) and keep the rest."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlencode

from flask import url_for
from werkzeug.datastructures import MultiDict

from ..search import facet_value

# Parameters that belong to one results page, not to the search itself.
_PAGE_ONLY = ("page",)
# What url_for leaves as it is in an article id (werkzeug's converter for a path part).
_ID_SAFE = "!$&'()*+,/:;=@"


def article_urls(endpoint: str) -> Callable[[str], str]:
    """url_for(endpoint, article_id=..., _external=True) for many ids: url_for once, then
    each id quoted onto it as url_for quotes it (url_for for each article was a fifth of a
    cached search's web work, and of a 10,000-article export)."""
    base = url_for(endpoint, article_id="-", _external=True)[:-1]
    return lambda article_id: base + quote(article_id, safe=_ID_SAFE)


class SearchLinks:
    def __init__(self, args: MultiDict, endpoint: str = "pages.search"):
        # Facet values as the search reads them (`country=fr` is FR), so that the links
        # that drop or toggle a value find it.
        self.args = MultiDict((k, facet_value(k.removeprefix("not_"), v))
                              for k, v in args.items(multi=True) if v.strip())
        self.endpoint = endpoint
        self._bases: dict[str, str] = {}

    def url(self, args: MultiDict | None = None, endpoint: str | None = None) -> str:
        args = self.args if args is None else args
        pairs = [(k, v) for k, v in args.items(multi=True) if v != ""]
        base = self._base(endpoint or self.endpoint)
        return f"{base}?{urlencode(pairs)}" if pairs else base

    def _base(self, endpoint: str) -> str:
        """url_for(endpoint), once per page: a results page builds hundreds of links."""
        if endpoint not in self._bases:
            self._bases[endpoint] = url_for(endpoint)
        return self._bases[endpoint]

    def json_url(self) -> str:
        return self.url(endpoint="api.search")

    def _copy(self, keep_page: bool = False) -> MultiDict:
        args = self.args.copy()
        if not keep_page:
            for key in _PAGE_ONLY:
                args.pop(key, None)
        return args

    def add(self, key: str, value: str) -> str:
        """Select (or exclude, with key not_<facet>) one more value."""
        args = self._copy()
        opposite = key[4:] if key.startswith("not_") else f"not_{key}"
        _drop_value(args, opposite, value)
        if value not in args.getlist(key):
            args.add(key, value)
        return self.url(args)

    def remove(self, key: str, value: str | None = None) -> str:
        args = self._copy()
        if value is None:
            args.pop(key, None)
        else:
            _drop_value(args, key, value)
        return self.url(args)

    def set(self, keep_page: bool = False, **values) -> str:
        """Set or (with None) drop parameters; `from_` stands for `from`."""
        args = self._copy(keep_page)
        for key, value in values.items():
            key = key.rstrip("_")
            args.pop(key, None)
            if value not in (None, ""):
                args[key] = str(value)
        return self.url(args)

    def page(self, number: int) -> str:
        return self.set(keep_page=True, page=number if number > 1 else None)

    def more(self, facet: str) -> str:
        args = self._copy()
        if facet not in args.getlist("more"):
            args.add("more", facet)
        return self.url(args)

    def fewer(self, facet: str) -> str:
        args = self._copy()
        _drop_value(args, "more", facet)
        return self.url(args)

    def date_range(self, start: str | None, end: str | None) -> str:
        undated = self.args.get("undated")
        return self.set(from_=start, to=end, date=None,
                        undated=None if undated == "only" else undated)

    def clear_all(self) -> str:
        keep = MultiDict((k, v) for k, v in self.args.items(multi=True)
                         if k in ("q", "sort", "per_page", "lang"))
        return self.url(keep)

    def hidden_fields(self, *skip: str) -> list[tuple[str, str]]:
        """(name, value) pairs for a GET form that keeps the rest of the state."""
        return [(k, v) for k, v in self.args.items(multi=True)
                if k not in skip and k not in _PAGE_ONLY]


def _drop_value(args: MultiDict, key: str, value: str) -> None:
    kept = [v for v in args.getlist(key) if v != value]
    args.setlist(key, kept)
    if not kept:
        args.pop(key, None)
