"""Keep intersphinx links to other projects' sites without making the build
depend on the network: each inventory is tried once (a few seconds at most)
and a site that cannot be reached is dropped from ``intersphinx_mapping``, so
its names stay plain text instead of failing a ``-W`` build.
``SKFASHION_DOCS_OFFLINE=1`` skips the attempts."""

import os
import urllib.request

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _reachable(url, timeout):
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/objects.inv", timeout=timeout) as r:
            return r.status == 200
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def _drop_unreachable(app, config):
    offline = os.environ.get("SKFASHION_DOCS_OFFLINE", "") not in ("", "0")
    kept = {}
    for name, value in config.intersphinx_mapping.items():
        url = value[0] if isinstance(value, (tuple, list)) else value
        if not offline and _reachable(url, config.intersphinx_timeout or 5):
            kept[name] = value
        else:
            logger.info(f"intersphinx: {url} not reachable; links to {name} stay plain text")
    config.intersphinx_mapping = kept


def setup(app):
    # Before sphinx.ext.intersphinx reads the mapping (priority 800).
    app.connect("config-inited", _drop_unreachable, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
