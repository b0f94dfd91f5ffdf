"""Static figures: baked with real JAX, drawn as inline SVG with a text alternative."""

from __future__ import annotations

import numpy as np
import pytest

from sims.bake import run_baker, validate


@pytest.fixture(scope="module")
def vmap_figure():
    return run_baker("jax-vmap")


def test_vmap_figure_numbers_are_f_of_each_row_as_numpy_computes_them(vmap_figure):
    data = vmap_figure["data"]
    xs = np.array(data["xs"], dtype=np.float64)
    assert xs.shape == tuple(data["in_shape"]) == (4, 3)
    assert data["ys"] == (xs ** 2).sum(axis=1).tolist()
    assert data["batched_primitives"] == ["integer_pow", "reduce_sum"]  # no loop, no while
    validate("jax-vmap", vmap_figure)


def test_the_guide_draws_the_vmap_figure_with_a_description_of_its_numbers(built):
    page = built.page("guides/transformations")
    assert 'data-figure="jax-vmap"' not in page  # the placeholder was replaced
    svg = page[page.index('<figure class="jax-figure">'):page.index("</figure>", page.index('<figure class="jax-figure">'))]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "row 2: [6, 7, 8] gives 149" in svg and "integer_pow, reduce_sum" in svg
