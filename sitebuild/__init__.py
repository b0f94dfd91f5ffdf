"""Build-time Python that is not a simulation: executing code cells, the
Markdown extension that shows their outputs, notebooks, math and assets.

`build_site.py` is the command line; `sitebuild.pipeline` runs the steps.
"""
