"""The Common Cartridge, the site URL it needs, the packages published in the
site, and the instructors page that lists them.

The session build has no site URL (so it must skip the cartridge and say
why); the cartridge is written here from that build with a URL, by its own
writer, which takes well under a second."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from sitebuild import cartridge, course, downloads, instructors
from sitebuild.errors import BuildError
from sitebuild.pipeline import Options

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://example.org/thinking-in-jax/"
CC = {"cc": cartridge.CC_NAMESPACE, "lom": cartridge.LOM_NAMESPACE, "wl": cartridge.WEBLINK_NAMESPACE}
CHAPTERS = sorted(p.stem for p in (ROOT / "docs" / "chapters").glob("*.md"))
# Course order for simulations: the order of mkdocs.yml's Simulations section.
SIMS = [path.split("/")[1][:-3] for section in course.read_config(ROOT / "mkdocs.yml")["nav"]
        if isinstance(section, dict) and "Simulations" in section for path in section["Simulations"]]


def options(**changes) -> Options:
    return dataclasses.replace(Options(), **changes)


# ---- the site URL ----------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ("https://you.github.io/thinking-in-jax", "https://you.github.io/thinking-in-jax/"),
    ("https://example.org", "https://example.org/"),
    (" http://127.0.0.1:8000/course/ ", "http://127.0.0.1:8000/course/"),
])
def test_a_site_url_is_kept_with_one_trailing_slash(given, expected):
    assert course.normalise_site_url(given) == expected


@pytest.mark.parametrize("given, says", [
    ("you.github.io/thinking-in-jax", "starting with https://"),
    ("ftp://example.org/", "starting with https://"),
    ("https:///path", "starting with https://"),
    ("https://example.org/?page=1", "without them"),
])
def test_a_site_url_that_is_not_a_web_address_is_refused_with_an_example(given, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        course.normalise_site_url(given)


def test_without_site_url_option_mkdocs_yml_site_url_is_used(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: T\nsite_url: https://example.org/course\n")
    assert course.site_url(options(config_file=config)) == "https://example.org/course/"
    assert course.site_url(options(config_file=config, site_url=SITE_URL)) == SITE_URL  # the option wins
    config.write_text("site_name: T\nsite_url: example.org\n")
    with pytest.raises(BuildError, match="mkdocs.yml: site_url: 'example.org' is not a full web address"):
        course.site_url(options(config_file=config))
    config.write_text("site_name: T\n")
    assert course.site_url(options(config_file=config)) is None


def test_the_command_line_refuses_a_bad_site_url_and_package_without_one(tmp_path):
    bad = subprocess.run([sys.executable, "build_site.py", "build", "--site-url", "example.org"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--site-url: 'example.org' is not a full web address" in bad.stderr
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: T\n")  # no site_url there either
    dist = tmp_path / "dist"
    package = subprocess.run([sys.executable, "build_site.py", "package", "--dist-dir", str(dist), "--config-file", str(config)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert package.returncode == 1
    assert "links to the hosted site: give its address with --site-url https://" in package.stderr
    assert not dist.exists()  # it stopped before writing anything


# ---- course order ------------------------------------------------------------------------------

def test_course_order_is_the_nav_order_and_pages_missing_from_the_nav_come_last(tmp_path):
    for path, title in [("chapters/00-a.md", "Chapter 0 — A"), ("chapters/01-b.md", "Chapter 1 — `b`"),
                        ("sims/x.md", "X"), ("sims/y.md", "Y"), ("sims/z.md", "Z")]:
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text(f"---\ntitle: ignored\n---\n# {title}\n\ntext\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: T\nnav:\n  - Chapters: [chapters/00-a.md]\n  - Sims:\n      - sims/z.md\n      - sims/x.md\n")
    pages = course.load(tmp_path, config).pages
    assert [p.source for p in pages] == ["chapters/00-a.md", "chapters/01-b.md", "sims/z.md", "sims/x.md", "sims/y.md"]
    assert [p.label for p in pages][1:3] == ["Chapter 1 — b", "Simulation: Z"]


# ---- the cartridge ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imscc(built, tmp_path_factory) -> zipfile.ZipFile:
    dist = tmp_path_factory.mktemp("cartridge")
    summary = cartridge.write_cartridge(options(site_dir=built.site, dist_dir=dist, site_url=SITE_URL))
    assert summary.startswith(f"{cartridge.NAME}: 22 links to {SITE_URL}embed/")
    return zipfile.ZipFile(dist / cartridge.NAME)


def test_cartridge_manifest_is_common_cartridge_1_1_with_one_module(imscc):
    manifest = ET.fromstring(imscc.read("imsmanifest.xml"))
    assert manifest.tag == f"{{{cartridge.CC_NAMESPACE}}}manifest"
    assert manifest.findtext("cc:metadata/cc:schema", namespaces=CC) == "IMS Common Cartridge"
    assert manifest.findtext("cc:metadata/cc:schemaversion", namespaces=CC) == "1.1.0"
    assert manifest.findtext("cc:metadata/lom:lom/lom:general/lom:title/lom:string", namespaces=CC) == "Thinking in JAX"
    locations = manifest.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()
    assert dict(zip(locations[::2], locations[1::2]))[cartridge.CC_NAMESPACE].endswith("/ccv1p1_imscp_v1p2_v1p0.xsd")
    organizations = manifest.findall("cc:organizations/cc:organization", CC)
    assert len(organizations) == 1 and organizations[0].get("structure") == "rooted-hierarchy"
    root, = organizations[0].findall("cc:item", CC)
    module, = root.findall("cc:item", CC)
    assert module.findtext("cc:title", namespaces=CC) == "Thinking in JAX"


def test_cartridge_has_one_web_link_per_chapter_and_simulation_in_course_order(imscc):
    manifest = ET.fromstring(imscc.read("imsmanifest.xml"))
    items = manifest.findall("cc:organizations/cc:organization/cc:item/cc:item/cc:item", CC)
    expected = [f"link-chapter-{c}" for c in CHAPTERS] + [f"link-simulation-{s}" for s in SIMS]
    assert [item.get("identifierref") for item in items] == expected
    assert items[0].findtext("cc:title", namespaces=CC) == "Chapter 0 — Why JAX?"
    assert items[len(CHAPTERS)].findtext("cc:title", namespaces=CC).startswith("Simulation: ")
    resources = {r.get("identifier"): r for r in manifest.findall("cc:resources/cc:resource", CC)}
    assert set(resources) == set(expected)
    listed = {"imsmanifest.xml"}
    for item in items:
        resource = resources[item.get("identifierref")]
        assert resource.get("type") == "imswl_xmlv1p1"
        file, = resource.findall("cc:file", CC)
        listed.add(file.get("href"))
        link = ET.fromstring(imscc.read(file.get("href")))  # KeyError if the file is missing
        assert link.tag == f"{{{cartridge.WEBLINK_NAMESPACE}}}webLink"
        assert link.findtext("wl:title", namespaces=CC) == item.findtext("cc:title", namespaces=CC)
    assert listed == set(imscc.namelist())  # every file listed, nothing else in the zip


def test_every_web_link_opens_an_embed_page_of_the_built_site(imscc, built):
    urls = [ET.fromstring(imscc.read(name)).find("wl:url", CC).get("href")
            for name in imscc.namelist() if name.startswith("links/")]
    assert len(urls) == len(CHAPTERS) + len(SIMS)
    for url in urls:
        assert url.startswith(SITE_URL + "embed/")
        path = url[len(SITE_URL):]
        assert re.fullmatch(r"embed/(chapters|sims)/[\w-]+/", path)
        assert (built.site / path / "index.html").is_file(), url


def test_the_cartridge_has_the_same_bytes_when_built_again(built, imscc, tmp_path):
    cartridge.write_cartridge(options(site_dir=built.site, dist_dir=tmp_path, site_url=SITE_URL))
    assert (tmp_path / cartridge.NAME).read_bytes() == Path(imscc.filename).read_bytes()


def test_without_a_site_url_the_build_skips_the_cartridge_and_says_how_to_get_it(built, tmp_path):
    assert ("Common Cartridge skipped: it links to the hosted site, and this build was not given its address: "
            "--site-url https://") in built.output
    assert not (built.dist / cartridge.NAME).exists()
    (tmp_path / cartridge.NAME).write_bytes(b"an earlier build's")  # would link to an address nobody gave
    summary = cartridge.write_cartridge(options(site_dir=built.site, dist_dir=tmp_path))
    assert "--site-url" in summary and not (tmp_path / cartridge.NAME).exists()


def test_the_cartridge_refuses_to_link_to_embed_pages_the_site_lacks(tmp_path):
    with pytest.raises(BuildError, match=r"embed pages that .* lacks \(embed/chapters/00-why-jax/.*build the site first"):
        cartridge.write_cartridge(options(site_dir=tmp_path, dist_dir=tmp_path, site_url=SITE_URL))


# ---- downloads ---------------------------------------------------------------------------------

def test_the_packages_are_published_in_the_site_for_download(built):
    published = sorted(p.relative_to(built.site / downloads.FOLDER).as_posix()
                       for p in (built.site / downloads.FOLDER).rglob("*") if p.is_file())
    made = sorted(p.relative_to(built.dist).as_posix() for p in built.dist.rglob("*") if p.is_file())
    assert published == made and "thinking-in-jax-offline.zip" in published
    for name in published:
        assert (built.site / downloads.FOLDER / name).read_bytes() == (built.dist / name).read_bytes()


def test_publishing_replaces_what_an_earlier_build_published(tmp_path):
    dist, site = tmp_path / "dist", tmp_path / "site"
    (dist / "scorm").mkdir(parents=True)
    (dist / "scorm" / "00-a.zip").write_bytes(b"a")
    (dist / "notes.txt").write_text("not a package")
    (site / downloads.FOLDER).mkdir(parents=True)
    (site / downloads.FOLDER / "old.imscc").write_bytes(b"an earlier build's")
    assert downloads.publish(dist, site).startswith("1 package copied")
    assert [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()] == ["downloads/scorm/00-a.zip"]


# ---- the instructors page ----------------------------------------------------------------------

def test_the_instructors_page_lists_every_chapter_and_simulation_with_its_package_and_snippet(built):
    page = built.page("instructors")
    for slug in CHAPTERS:
        assert f'href="../chapters/{slug}/"' in page
    for slug in SIMS:
        assert f'href="../sims/{slug}/"' in page
    sources = re.findall(r'"(https://YOUR-SITE/embed/[^"]*)"', page)  # the src of each snippet, in order
    assert sources == [f"https://YOUR-SITE/embed/chapters/{c}/" for c in CHAPTERS] + [
        f"https://YOUR-SITE/embed/sims/{s}/" for s in SIMS]
    for path in sources:
        embed_page = path.replace("https://YOUR-SITE/", "")
        assert f'href="../{embed_page}"' in page and (built.site / embed_page / "index.html").is_file()
    offered = re.findall(r'href="\.\./(downloads/[^"]+)" download', page)
    assert sorted(offered) == sorted([f"downloads/scorm/{c}.zip" for c in CHAPTERS] + ["downloads/thinking-in-jax-offline.zip"])
    assert all((built.site / path).is_file() for path in offered)
    assert "not in this copy of the site" in page and "--site-url" in page  # no cartridge without a URL


def test_with_a_site_url_the_instructors_page_has_absolute_snippets_and_links_the_cartridge():
    pages = course.load(ROOT / "docs", ROOT / "mkdocs.yml").pages
    listed = instructors.pages_section(pages, SITE_URL)
    assert instructors.PLACEHOLDER not in listed and "<script" not in listed
    assert f'<iframe src="{SITE_URL}embed/chapters/00-why-jax/"' in listed
    assert 'sandbox="allow-scripts allow-same-origin"' in listed
    assert f'href="../downloads/{cartridge.NAME}" download' in instructors.downloads_section(SITE_URL)


def test_the_instructors_page_must_keep_its_markers(tmp_path):
    (tmp_path / "instructors").mkdir()
    (tmp_path / "instructors" / "index.md").write_text("# For instructors\n\n<!-- tij:downloads -->\n")
    with pytest.raises(BuildError, match=r"needs the line <!-- tij:pages --> exactly once"):
        instructors.stage_page(tmp_path, options())


@pytest.mark.browser
def test_a_copied_snippet_is_absolute_and_shows_the_embed_page_in_a_sandboxed_frame(page, site_url, lms):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    page.goto(site_url + "/instructors/")
    note = page.locator("[data-tij-site-url-note]")
    assert note.inner_text() == f"The snippets below use this site's address, {site_url}/."
    block = page.locator(".md-content .highlight", has_text="embed/chapters/03-jit-and-tracing/")
    block.get_by_role("button", name="Copy to clipboard").click()  # Material's content.code.copy
    snippet = page.evaluate("navigator.clipboard.readText()")
    assert f'src="{site_url}/embed/chapters/03-jit-and-tracing/"' in snippet
    assert instructors.PLACEHOLDER not in page.locator(".md-content").inner_text()
    folder, origin = lms  # another origin, as an LMS is: a page of it gets the snippet pasted in
    (folder / "pasted.html").write_text(f"<!doctype html><html lang='en'><title>An LMS page</title><body>{snippet}</body></html>")
    page.goto(f"{origin}/pasted.html")
    frame = page.frame_locator("iframe")
    frame.locator("h1").wait_for()
    assert frame.locator("h1").inner_text().startswith("Chapter 3")
    assert frame.locator(".tij-embed__full-link").count() == 1


@pytest.mark.browser
def test_a_scorm_download_link_gives_the_chapters_package(page, site_url, built):
    page.goto(site_url + "/instructors/")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{CHAPTERS[4]}.zip").click()
    assert download.value.suggested_filename == f"{CHAPTERS[4]}.zip"
    assert Path(download.value.path()).read_bytes() == (built.dist / "scorm" / f"{CHAPTERS[4]}.zip").read_bytes()
