"""How the player core writes a number (`ctx.format` in site_src/sims/core.js),
for tests that compare what a simulation shows with the baked value.
tests/test_sims_pages.py checks this replica against the real JavaScript."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NON_FINITE = {"inf": "∞", "-inf": "−∞", "nan": "NaN"}


def ctx_format(value, digits: int = 4) -> str:
    """toFixed(digits), or toExponential(digits - 1) below 1e-3 and from 1e5;
    baked non-finite strings as ∞, −∞, NaN. JavaScript rounds ties away from zero."""
    if isinstance(value, str):
        return NON_FINITE[value]
    v = float(value) + 0.0  # -0.0 -> 0.0, as toFixed writes it
    size = abs(v)
    if size != 0 and (size >= 1e5 or size < 1e-3):
        d = Decimal(size)
        exponent = d.adjusted()
        n = int(d.scaleb(digits - 1 - exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if n >= 10 ** digits:
            n //= 10
            exponent += 1
        s = str(n)
        mantissa = s[0] + ("." + s[1:] if digits > 1 else "")
        return f"{'-' if v < 0 else ''}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    return f"{Decimal(v).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):f}"
