"""SCORM 1.2 packages, dist/scorm/<chapter-slug>.zip: valid manifests, every
file listed, nothing that reaches outside the package, under the size budget,
reproducible. (What they do in a browser with an LMS: test_scorm_runtime.py.)"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitebuild import course, scorm, zips
from sitebuild.errors import BuildError
from tests import urls

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED_SCHEMAS = ROOT.parent / "shared" / "fixtures" / "scorm12"  # the XSDs as IMS and ADL publish them
CHAPTERS = [p for p in course.load(ROOT / "docs", ROOT / "mkdocs.yml").pages if p.folder == "chapters"]
NS = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}


@pytest.fixture(scope="module")
def packages(built) -> dict[str, zipfile.ZipFile]:
    found = {p.stem: zipfile.ZipFile(p) for p in sorted((built.dist / scorm.OUT_DIR).glob("*.zip"))}
    yield found
    for archive in found.values():
        archive.close()


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    """The SCORM 1.2 manifest schemas (IMS CP 1.1.2 with ADL's extensions), as
    xmlschema loads them: ims_xml.xsd without its default namespace, which
    binds the reserved XML namespace and which XSD 1.0 processors reject."""
    import xmlschema

    folder = tmp_path_factory.mktemp("scorm12")
    for xsd in scorm.SCHEMAS.glob("*.xsd"):
        shutil.copy(xsd, folder / xsd.name)
    ims_xml = folder / "ims_xml.xsd"
    ims_xml.write_text(ims_xml.read_text(encoding="utf-8-sig").replace(' xmlns="http://www.w3.org/XML/1998/namespace"', ""),
                       encoding="utf-8")
    return xmlschema.XMLSchema10(str(folder / "imscp_rootv1p1p2.xsd"),
                                 locations=[(NS["adlcp"], str(folder / "adlcp_rootv1p2.xsd"))])


def listed_files(manifest: ET.Element) -> list[str]:
    return [f.get("href") for f in manifest.iterfind("cp:resources/cp:resource/cp:file", NS)]


def test_every_chapter_has_a_package(packages):
    assert sorted(packages) == sorted(c.slug for c in CHAPTERS)


def test_the_packaged_schemas_are_the_published_ones(packages):
    if not PUBLISHED_SCHEMAS.is_dir():
        pytest.skip(f"{PUBLISHED_SCHEMAS} (the published SCORM 1.2 XSDs) is not on this machine")
    for xsd in PUBLISHED_SCHEMAS.glob("*.xsd"):
        assert (scorm.SCHEMAS / xsd.name).read_bytes() == xsd.read_bytes(), xsd.name
        for archive in packages.values():
            assert archive.read(xsd.name) == xsd.read_bytes(), xsd.name


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.slug)
def test_the_manifest_is_valid_scorm_1_2(packages, schema, chapter):
    text = packages[chapter.slug].read("imsmanifest.xml")
    schema.validate(text)
    # What the schemas leave open.
    manifest = ET.fromstring(text)
    assert manifest.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    organizations = manifest.find("cp:organizations", NS)
    [organization] = organizations.findall("cp:organization", NS)
    assert organizations.get("default") == organization.get("identifier")
    [item] = organization.findall(".//cp:item", NS)
    assert item.findtext("cp:title", namespaces=NS) == chapter.label
    assert item.findtext("adlcp:masteryscore", namespaces=NS) == str(scorm.MASTERY_SCORE)
    assert 0 <= scorm.MASTERY_SCORE <= 100
    resources = {r.get("identifier"): r for r in manifest.iterfind("cp:resources/cp:resource", NS)}
    assert len(resources) == 1 and item.get("identifierref") in resources
    resource = resources[item.get("identifierref")]
    assert resource.get(f"{{{NS['adlcp']}}}scormtype") == "sco"
    assert resource.get("href") == f"embed/chapters/{chapter.slug}/index.html"
    assert resource.get("href") in listed_files(manifest)


def test_every_file_is_listed_and_every_listed_file_is_there(packages):
    for slug, archive in packages.items():
        names = archive.namelist()
        listed = listed_files(ET.fromstring(archive.read("imsmanifest.xml")))
        assert len(listed) == len(set(listed)), slug
        # Besides the listed files: the manifest and the schemas it names, at the root.
        assert sorted(set(names) - set(listed)) == sorted(["imsmanifest.xml"] + [p.name for p in scorm.SCHEMAS.glob("*.xsd")]), slug
        assert set(listed) <= set(names), slug


def test_a_package_holds_what_its_page_loads_at_run_time(packages, built):
    names = set(packages["03-jit-and-tracing"].namelist())
    pyodide = {f"assets/pyodide/{p.parent.name}/{p.name}" for p in (built.site / "assets" / "pyodide").glob("*/*")}
    assert pyodide and pyodide <= names  # Python runs inside the package
    assert any(re.fullmatch(r"assets/py/tij-python-[0-9a-f]+\.zip", n) for n in names)
    assert {"assets/py/manifest.json", "assets/tij/js/runner-worker.js", "assets/tij/js/editor.js", "assets/tij/js/scorm.js"} <= names
    page = packages["03-jit-and-tracing"].read("embed/chapters/03-jit-and-tracing/index.html").decode()
    for sim in re.findall(r'data-sim="([^"]+)" data-live', page):
        assert {f"assets/tij/sims/{sim}.js", f"assets/tij/sims/data/{sim}.js"} <= names
    assert "assets/vendor/katex/fonts/KaTeX_Main-Regular.woff2" in names
    other_sims = {n for n in names if n.startswith("assets/tij/sims/data/")} - {f"assets/tij/sims/data/{s}.js" for s in re.findall(r'data-sim="([^"]+)" data-live', page)}
    assert not other_sims  # only the simulations on the page
    assert not any(n.startswith(("search/", "assets/javascripts/workers/", "assets/javascripts/lunr/")) for n in names)


def test_nothing_in_a_package_reaches_outside_it(packages, tmp_path):
    for slug, archive in packages.items():
        root = tmp_path / slug
        archive.extractall(root)
        assert urls.external_fetches(root) == [], slug
        assert urls.broken_references(root) == [], slug
        page = (root / f"embed/chapters/{slug}/index.html").read_text(encoding="utf-8")
        links = re.findall(r'<a\b[^>]*\bhref="([^"]*)"', page)
        assert links and all(link.startswith("#") for link in links), (slug, [x for x in links if not x.startswith("#")])
        assert "Open the full course" not in page
        assert all(not re.search(r'\bhref="(?!\.\./\.\./\.\./assets/)', tag) for tag in re.findall(r"<link\b[^>]*>", page)), slug


def test_packages_are_under_the_size_budget_and_reproducible(packages, built):
    for slug, archive in packages.items():
        assert Path(archive.filename).stat().st_size <= scorm.SIZE_BUDGET, slug
    chapter = CHAPTERS[0]
    again = io.BytesIO()
    zips.write_zip(again, scorm.chapter_package(built.site, chapter, "Thinking in JAX"), compresslevel=scorm.ZIP_LEVEL)
    assert again.getvalue() == Path(packages[chapter.slug].filename).read_bytes()


# ---- the launch page, on small examples -------------------------------------------------

PAGE = "embed/chapters/03-jit/index.html"


def test_links_to_pages_outside_the_package_become_their_text():
    html = ('<link rel="canonical" href="https://example.org/embed/chapters/03-jit/">'
            '<link rel="stylesheet" href="../../../assets/tij/css/site.css">'
            '<p class="tij-embed__full">\n  <a class="tij-embed__full-link" href="../../../chapters/03-jit/">Open the full course</a>\n</p>'
            '<p>See <a href="../04-grad/">chapter <code>4</code></a>, <a href="https://optax.readthedocs.io/">Optax</a>, '
            '<a href="../03-jit/#cache">the cache</a>, <a href="#top">the top</a> and <a href="../../../gotchas/#x">gotchas</a>.</p>')
    assert scorm.package_page(html, PAGE) == (
        '<link rel="stylesheet" href="../../../assets/tij/css/site.css">'
        '<p>See chapter <code>4</code>, Optax, <a href="#cache">the cache</a>, <a href="#top">the top</a> and gotchas.</p>')


def test_a_page_that_loads_a_file_from_elsewhere_stops_the_build(tmp_path):
    (tmp_path / "embed/chapters/03-jit").mkdir(parents=True)
    page = '<p><img src="https://example.org/figure.png" alt="a figure"></p>'
    with pytest.raises(BuildError, match="https://example.org/figure.png, outside the package"):
        scorm.needed_files(tmp_path, PAGE, page)
    with pytest.raises(BuildError, match="needs assets/missing.css"):
        scorm.needed_files(tmp_path, PAGE, '<link rel="stylesheet" href="../../../assets/missing.css">')


def test_the_instructors_page_states_the_packages_mastery_score():
    page = (Path(__file__).resolve().parent.parent / "docs" / "instructors" / "index.md").read_text(encoding="utf-8")
    assert f"*passed* at {scorm.MASTERY_SCORE}% or more" in page
