"""The docs page's ReDoc bundle without its one request to another host (``scripts/patch-redoc`` writes the copy).

ReDoc's standalone bundle draws a "powered by" logo from ``https://cdn.redoc.ly/redoc/logo-mini.svg``, which no option
turns off and which the Content-Security-Policy blocks (a console error on every load). The copy served from the
registry's static files is the sidecar's bundle with that element replaced by nothing and the source-map comment
dropped; everything else is byte for byte the package's.
"""

from pathlib import Path

import drf_spectacular_sidecar

SIDECAR_BUNDLE = (
    Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
)
LOGO = 'e?n.createElement("img",{alt:"redocly logo",onError:()=>t(!1),src:"https://cdn.redoc.ly/redoc/logo-mini.svg"}):null'
SOURCE_MAP = "\n//# sourceMappingURL=redoc.standalone.js.map"


def patched(bundle: str) -> str:
    """``bundle`` without the CDN logo and the source-map comment; refuses a bundle that no longer has them."""
    if bundle.count(LOGO) != 1 or not bundle.rstrip().endswith(SOURCE_MAP.strip()):
        raise ValueError("The ReDoc bundle changed: look for its outside requests again before patching it.")
    return bundle.replace(LOGO, "null").rstrip().removesuffix(SOURCE_MAP.strip()).rstrip() + "\n"


def write(target: str) -> None:
    """Write the patched copy of the installed sidecar's bundle to ``target``."""
    Path(target).write_text(patched(SIDECAR_BUNDLE.read_text(encoding="utf-8")), encoding="utf-8")
