"""Simulation bakers (build time only): each runs real JAX and writes the
JSON that one simulation player animates. `python -m sims bake`."""
