"""Organisations named in an article's text (companies, banks, agencies, parties, bodies).

Recognition from the text is not written yet: the organisation facet's values come from the
sources for now (Reuters' ORGS and EXCHANGES, a JSON Lines file's `tags`). This class is the
hook the facet registry calls (`searchapp.facets`), with the interface a recogniser keeps.
"""

from __future__ import annotations


class OrganisationTagger:
    def tag(self, title: str, body: str) -> list[str]:
        """The canonical names of the organisations the text names, best first."""
        return []
