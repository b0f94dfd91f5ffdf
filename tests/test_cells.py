"""Finding code cells in Markdown and running them with real JAX."""

from __future__ import annotations

import pytest

from sitebuild import cells, execute
from sitebuild.errors import BuildError


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "CACHE_DIR", tmp_path / "cells")


PAGE = '''# Title

```python
a = 1
```

!!! note
    ```python raises="ZeroDivisionError"
    1 / 0
    ```

````markdown
```python
this is an example of Markdown, not a cell
```
````

```text
not python
```

```python setup="true" devices="8"
b = 2
```
'''


def test_parse_cells_finds_python_fences_with_their_lines_and_options():
    found = cells.parse_cells(PAGE)
    assert [c.source for c in found] == ["a = 1", "1 / 0", "b = 2"]
    assert [c.line for c in found] == [3, 8, 22]
    assert found[1].raises == "ZeroDivisionError"
    assert found[2].is_setup and found[2].devices == 8
    assert cells.page_devices(found) == 8


@pytest.mark.parametrize("fence, message", [
    ('```python color="red"', "unknown cell option 'color'"),
    ('```python devices="3"', 'devices="3" is not supported'),
    ("```python raises=TypeError", "cannot read the fence options"),
])
def test_bad_cell_options_are_reported_with_their_line(fence, message):
    with pytest.raises(cells.CellSyntaxError, match=message) as info:
        cells.parse_cells(f"text\n\n{fence}\npass\n```\n")
    assert info.value.line == 3


def test_page_key_changes_with_cells_and_environment():
    one = cells.parse_cells("```python\nx = 1\n```\n")
    two = cells.parse_cells("```python\nx = 2\n```\n")
    env = {"jax": "0.10.2"}
    assert cells.page_key(one, env) == cells.page_key(one, dict(env))
    assert cells.page_key(one, env) != cells.page_key(two, env)
    assert cells.page_key(one, env) != cells.page_key(one, {"jax": "0.11.0"})


def test_cells_share_state_in_page_order_and_show_stdout_and_last_value():
    result = execute.execute_page(
        "```python\nimport jax.numpy as jnp\nx = jnp.arange(3.0)\nprint('sum is', x.sum())\n```\n\n"
        "```python\nx * 2\n```\n\n```python\ny = 5\n```\n",
        "page.md",
    )
    first, second, third = result.outputs
    assert first["stdout"] == "sum is 3.0\n" and first["value"] is None
    assert second["value"] == "Array([0., 2., 4.], dtype=float32)"
    assert third == {"stdout": "", "stderr": "", "value": None, "error": None}
    assert result.machine == {"backend": "cpu", "device_kind": "cpu", "device_count": 1}


def test_a_trailing_semicolon_hides_the_last_value_as_in_jupyter():
    result = execute.execute_page("```python\nx = 2\nx * 3;\n```\n", "page.md")
    assert result.outputs[0]["value"] is None


def test_jax_debug_print_inside_jit_is_captured_in_its_cell():
    result = execute.execute_page(
        "```python\nimport jax\n\n@jax.jit\ndef f(x):\n    jax.debug.print('x is {}', x)\n    return x + 1\n\nf(2.0)\n```\n",
        "page.md",
    )
    assert result.outputs[0]["stdout"] == "x is 2.0\n"


def test_expected_exception_shows_real_type_and_message():
    result = execute.execute_page(
        '```python raises="ConcretizationTypeError"\nimport jax\n\n@jax.jit\ndef f(x):\n'
        "    if x > 0:\n        return x\n    return -x\n\nf(1.0)\n```\n",
        "page.md",
    )
    error = result.outputs[0]["error"]
    assert error["type"] == "TracerBoolConversionError"  # a subclass of the name in raises=
    assert error["display"].startswith("jax.errors.TracerBoolConversionError: Attempted boolean conversion")
    assert "JAX has removed its internal frames" not in error["display"]  # a note about tracebacks, not the error


def test_unexpected_exception_names_file_line_and_cell():
    with pytest.raises(BuildError) as info:
        execute.execute_page("# T\n\n```python\nx = 1\n```\n\n```python\ny = x / 0\n```\n", "docs/p.md")
    message = str(info.value)
    assert message.startswith("docs/p.md:7: this cell raised ZeroDivisionError")
    assert "y = x / 0" in message and "division by zero" in message


def test_cell_marked_raises_that_does_not_raise_fails_the_build():
    with pytest.raises(BuildError, match=r'p\.md:1: this cell is marked raises="ValueError" but ran without an exception'):
        execute.execute_page('```python raises="ValueError"\nx = 1\n```\n', "p.md")


def test_cell_that_raises_another_type_than_promised_fails_the_build():
    with pytest.raises(BuildError, match='marked raises="ValueError" but raised ZeroDivisionError'):
        execute.execute_page('```python raises="ValueError"\n1 / 0\n```\n', "p.md")


def test_devices_option_runs_the_page_with_eight_simulated_cpu_devices():
    result = execute.execute_page('```python devices="8"\nimport jax\nlen(jax.devices())\n```\n', "p.md")
    assert result.outputs[0]["value"] == "8"
    assert result.machine["device_count"] == 8


def test_second_execution_of_an_unchanged_page_comes_from_the_cache(monkeypatch):
    text = "```python\nprint('hello')\n```\n"
    assert not execute.execute_page(text, "p.md").from_cache

    def no_kernel(*args):
        raise AssertionError("the kernel ran although the page is cached")

    monkeypatch.setattr(execute, "_run_kernel", no_kernel)
    again = execute.execute_page(text, "p.md")
    assert again.from_cache and again.outputs[0]["stdout"] == "hello\n"


def test_a_corrupt_cache_entry_is_re_executed_not_trusted():
    text = "```python\nprint('hello')\n```\n"
    execute.execute_page(text, "p.md")
    [entry] = execute.CACHE_DIR.glob("*.json")
    entry.write_text("{ not json")
    again = execute.execute_page(text, "p.md")
    assert not again.from_cache and again.outputs[0]["stdout"] == "hello\n"


def test_a_kernel_that_dies_is_reported_with_the_cell_it_was_running():
    with pytest.raises(BuildError) as info:
        execute.execute_page("```python\nx = 1\n```\n\n```python\nimport os\nos._exit(3)\n```\n", "p.md")
    message = str(info.value)
    assert message.startswith("p.md:5: the Python process running this page's cells died (exit code 3)")
    assert "os._exit(3)" in message
