"""GX Data Docs that render offline: GX's pages load Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega
from CDNs, and its index builds the list of validation results in JavaScript from those CDNs, so an analyst
opening the site without network (or behind a proxy) saw an empty index.

Through GX's own site configuration (``data_docs_sites``: a ``SiteBuilder`` class and the ``view`` of each site
section and of the index) the pages are rendered with this folder's templates first — the CDN links replaced by
the site's own ``static/offline/`` copies, the index table as static HTML — and ``OfflineSiteBuilder`` copies
those files into the site on every build. Only imported by GX, when it builds the site.
"""

from __future__ import annotations

from pathlib import Path

from great_expectations.render.renderer.site_builder import SiteBuilder
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import ChoiceLoader, FileSystemLoader

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
MODULE = __name__


def offline_assets() -> dict[str, Path]:
    """The files the templates link, by their name under the site's `static/offline/`."""
    from xstatic.pkg import bootstrap, jquery

    return {"bootstrap.min.css": Path(bootstrap.BASE_DIR) / "css" / "bootstrap.min.css",
            "bootstrap.bundle.min.js": Path(bootstrap.BASE_DIR) / "js" / "bootstrap.bundle.min.js",
            "jquery.min.js": Path(jquery.BASE_DIR) / "jquery.min.js",
            "offline.css": HERE / "offline.css"}


class _OfflineTemplates:
    """GX's Jinja loader puts its own templates before any custom views folder, so overriding one of them takes a
    view whose loader looks here first."""

    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        super().__init__(custom_styles_directory=custom_styles_directory, custom_views_directory=custom_views_directory)
        self.env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES)), self.env.loader])


class OfflinePageView(_OfflineTemplates, DefaultJinjaPageView):
    """Expectation suite and validation result pages."""


class OfflineIndexPageView(_OfflineTemplates, DefaultJinjaIndexPageView):
    """The index page."""


_CONTENT_TYPES = {".css": "text/css", ".js": "text/javascript"}


class OfflineSiteBuilder(SiteBuilder):
    """GX's SiteBuilder that also writes the files the offline templates link into the site's static folder, through
    the site's own store (so it works for any store backend GX supports)."""

    def build(self, resource_identifiers=None, build_index: bool = True):
        built = super().build(resource_identifiers=resource_identifiers, build_index=build_index)
        backend = self.target_store.store_backends["static_assets"]
        for name, path in offline_assets().items():
            backend.set(("static", "offline", name), path.read_bytes(), content_encoding=None,
                        content_type=_CONTENT_TYPES[path.suffix])
        return built


def site_config(base_directory: str = "uncommitted/data_docs/local_site/") -> dict:
    """The `local_site` Data Docs configuration: GX's defaults (same folder) with the offline builder and views, and
    without GX's how-to buttons (``show_how_to_buttons``: the index's call-to-action footer and a walkthrough
    pop-up on every result page, both pointing at GX's website)."""
    page = {"module_name": MODULE, "class_name": OfflinePageView.__name__}
    return {"class_name": OfflineSiteBuilder.__name__, "module_name": MODULE, "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": base_directory},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder",
                                   "view": {"module_name": MODULE, "class_name": OfflineIndexPageView.__name__}},
            "site_section_builders": {section: {"view": dict(page)} for section in ("expectations", "validations", "profiling")}}


def use_offline_site(context, name: str = "local_site") -> bool:
    """Make a file context's Data Docs site the offline one (written to great_expectations.yml only when it differs,
    as callers hold the project lock but several processes open the same project). True when it was changed."""
    wanted = site_config()
    sites = context.variables.data_docs_sites or {}
    if sites.get(name) == wanted:
        return False
    if name in sites:
        context.update_data_docs_site(name, wanted)
    else:
        context.add_data_docs_site(name, wanted)
    return True
