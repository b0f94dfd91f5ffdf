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
    "prng-tree",
    "numpy-vs-jax",
    "pure-impure",
    "mental-model",
    "pytree",
    "vmap-loop",
    "data-parallel",
)

# Static figures: baked the same way, then drawn as inline SVG at build by
# sitebuild/figures.py wherever a page has <div class="jax-figure" data-figure="ID"></div>.
FIGURES: tuple[str, ...] = (
    "jax-vmap",
)
