"""The packages in dist/, from a built site: `build_site.py package`, and the
last step of `build`.

- dist/scorm/<chapter-slug>.zip   one SCORM 1.2 package per chapter (sitebuild/scorm.py)
- dist/thinking-in-jax-offline.zip   the whole site for use without internet (sitebuild/offline.py)
- dist/thinking-in-jax.imscc   an IMS Common Cartridge linking to the hosted
  embed pages; needs the site's public URL (sitebuild/cartridge.py)
- site/downloads/   the same packages again, in the hosted site (sitebuild/downloads.py)

Each writer returns a one-line summary of what it wrote.
"""

from __future__ import annotations

from sitebuild import cartridge, downloads, offline, scorm


def package(options, log=print) -> str:
    """Write every package; a summary line."""
    return "; ".join([
        offline.write_offline_zip(options),
        scorm.write_packages(options),
        cartridge.write_cartridge(options),
        downloads.publish(options.dist_dir, options.site_dir),  # last: it copies what the others wrote
    ])
