"""dist/thinking-in-jax.imscc: an IMS Common Cartridge 1.1 of web links to
the hosted embed pages, one per chapter and per simulation, in course order,
in one module. An LMS imports it as a ready-made module (Canvas: "Import
Course Content"; Moodle: "Restore"; Brightspace: "Import Components").

CC 1.1, not a later version: Moodle imports 1.0 and 1.1 only, and Canvas,
Blackboard and Brightspace import 1.1 too. A cartridge holds the links, not
the pages, so it needs the site's public URL (`--site-url`); without one the
build skips it and says how to get it.

Layout of the zip:
- imsmanifest.xml   one organization: root item > module item > one item per page
- links/<kind>-<slug>.xml   one IMS web link (`imswl_xmlv1p1`) per page
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from sitebuild import course, embed, zips
from sitebuild.errors import BuildError

NAME = "thinking-in-jax.imscc"
CC_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOM_NAMESPACE = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
WEBLINK_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
PROFILE = "http://www.imsglobal.org/profile/cc/ccv1p1"
SCHEMA_VERSION = "1.1.0"
WEBLINK_TYPE = "imswl_xmlv1p1"
HOW_TO_GET_IT = "--site-url https://… (the site's home page) or site_url in mkdocs.yml"


def write_cartridge(options) -> str:
    """Write dist/thinking-in-jax.imscc; a summary line (or why it was skipped)."""
    url = course.site_url(options)
    target = options.dist_dir / NAME
    if url is None:
        target.unlink(missing_ok=True)  # one from an earlier build would link to an address this build does not know
        return f"Common Cartridge skipped: it links to the hosted site, and this build was not given its address: {HOW_TO_GET_IT}"
    the_course = course.load(options.docs_dir, options.config_file)
    missing = [p.embed_path for p in the_course.pages if not (options.site_dir / p.embed_path / "index.html").exists()]
    if missing:
        raise BuildError(f"the Common Cartridge links to embed pages that {options.site_dir} lacks "
                         f"({', '.join(missing[:3])}{' …' if len(missing) > 3 else ''}): "
                         "build the site first (`python build_site.py build`).")
    target.parent.mkdir(parents=True, exist_ok=True)
    zips.write_zip(target, cartridge_files(the_course, url))
    return f"{NAME}: {len(the_course.pages)} links to {url}{embed.PREFIX}/ ({target.stat().st_size / 1e3:.1f} KB)"


def cartridge_files(the_course: course.Course, site_url: str) -> dict[str, bytes]:
    """Every file of the cartridge: name in the zip -> bytes."""
    files = {"imsmanifest.xml": manifest(the_course).encode("utf-8")}
    for page in the_course.pages:
        files[link_file(page)] = web_link(page.label, site_url + page.embed_path).encode("utf-8")
    return files


def manifest(the_course: course.Course) -> str:
    """imsmanifest.xml: the course's metadata, one module of items, one web-link resource per item."""
    items = "".join(
        f'          <item identifier="item-{_id(p)}" identifierref="link-{_id(p)}">\n'
        f"            <title>{escape(p.label)}</title>\n"
        f"          </item>\n" for p in the_course.pages)
    resources = "".join(
        f'    <resource identifier="link-{_id(p)}" type="{WEBLINK_TYPE}">\n'
        f'      <file href="{link_file(p)}"/>\n'
        f"    </resource>\n" for p in the_course.pages)
    lang, title = escape(the_course.language), escape(the_course.title)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="thinking-in-jax" xmlns="{CC_NAMESPACE}" xmlns:lomimscc="{LOM_NAMESPACE}"\n'
        f'    xmlns:xsi="{XSI_NAMESPACE}"\n'
        f'    xsi:schemaLocation="{CC_NAMESPACE} {PROFILE}/ccv1p1_imscp_v1p2_v1p0.xsd '
        f'{LOM_NAMESPACE} {PROFILE}/LOM/ccv1p1_lommanifest_v1p0.xsd">\n'
        "  <metadata>\n"
        "    <schema>IMS Common Cartridge</schema>\n"
        f"    <schemaversion>{SCHEMA_VERSION}</schemaversion>\n"
        "    <lomimscc:lom>\n"
        "      <lomimscc:general>\n"
        f'        <lomimscc:title><lomimscc:string language="{lang}">{title}</lomimscc:string></lomimscc:title>\n'
        f'        <lomimscc:description><lomimscc:string language="{lang}">{escape(the_course.description)}'
        "</lomimscc:string></lomimscc:description>\n"
        "      </lomimscc:general>\n"
        "    </lomimscc:lom>\n"
        "  </metadata>\n"
        "  <organizations>\n"
        '    <organization identifier="organization" structure="rooted-hierarchy">\n'
        '      <item identifier="root">\n'
        '        <item identifier="module">\n'
        f"          <title>{title}</title>\n"
        + items
        + "        </item>\n"
        "      </item>\n"
        "    </organization>\n"
        "  </organizations>\n"
        "  <resources>\n"
        + resources
        + "  </resources>\n"
        "</manifest>\n"
    )


def web_link(title: str, url: str) -> str:
    """One IMS web link file: a title and the URL it opens."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<webLink xmlns="{WEBLINK_NAMESPACE}" xmlns:xsi="{XSI_NAMESPACE}"\n'
        f'    xsi:schemaLocation="{WEBLINK_NAMESPACE} {PROFILE}/ccv1p1_imswl_v1p1.xsd">\n'
        f"  <title>{escape(title)}</title>\n"
        f'  <url href="{escape(url)}"/>\n'
        "</webLink>\n"
    )


def link_file(page: course.Page) -> str:
    return f"links/{_id(page)}.xml"


def _id(page: course.Page) -> str:
    """An XML identifier for the page (it must not start with a digit, as slugs do)."""
    return f"{page.kind}-{page.slug}"
