"""The simulations the site bakes, by id.

Each id names its baker `sims/<id with _ for ->.py`, its schema
`sims/schemas/<id>.schema.json`, its player `site_src/sims/<id>.js` and its
deep-link page `docs/sims/<id>.md`. Adding a simulation adds one line here.
"""

SIMS: tuple[str, ...] = (
    "graph-tracer",
    "grad-visualizer",
    "training-loop",
    "jit-timeline",
)
