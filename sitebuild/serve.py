"""`build_site.py serve`: build, serve on 127.0.0.1, rebuild on change.

Uses MkDocs' live-reload server (it also refreshes open pages); the builder is
our whole pipeline, so a change to a chapter re-executes only that page's
cells and a change to a player or a baker is picked up too. (A change to the
build code itself, other than the cell kernel, needs a restart.)
"""

from __future__ import annotations

import logging

from mkdocs.livereload import LiveReloadServer

from sitebuild import pipeline
from sitebuild.errors import BuildError

WATCHED = ["docs", "sims", "site_src/assets", "site_src/theme", "site_src/build", "sitebuild/kernel.py", "mkdocs.yml"]


def serve(options: pipeline.Options, host: str = "127.0.0.1", port: int = 8000) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    def builder() -> None:
        try:
            pipeline.build(options)
        except BuildError as err:
            # Keep serving the last good site; the author fixes the page and saves again.
            print(f"\nBuild failed: {err}\nStill serving the previous build; save a fix to rebuild.\n")

    pipeline.build(options)  # the first build must succeed
    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(options.site_dir))
    for path in WATCHED:
        server.watch(str(pipeline.ROOT / path))
    if options.docs_dir != pipeline.ROOT / "docs":
        server.watch(str(options.docs_dir))
    try:
        server.serve()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        server.shutdown()
