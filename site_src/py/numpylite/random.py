"""`np.random`'s legacy global generator: `seed`, `rand`, `randn`, `normal`, `uniform`, ...

Bit for bit NumPy's `RandomState`: a Mersenne Twister (MT19937) seeded with
`init_genrand` from an int seed, doubles made from two 32-bit draws (53 random
bits), and normal draws from the legacy polar Box-Muller method, which makes
two values at a time and keeps the second for the next call. Python's own
`random.Random` is the same MT19937, so it runs the generator here: this
module only sets its state as NumPy seeds it and converts the outputs as
NumPy does.
"""

from __future__ import annotations

import math
import operator
import random as _pyrandom

from numpylite import _dtypes
from numpylite._ndarray import _new, asarray, broadcast_shapes, broadcast_values

_N = 624  # words of MT19937 state


def _init_genrand(seed: int) -> list:
    """MT19937's state for a 32-bit seed (mt19937_seed in NumPy's randomkit)."""
    state = [seed & 0xFFFFFFFF]
    for i in range(1, _N):
        prev = state[-1]
        state.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
    return state


def _init_by_array(key: list) -> list:
    """MT19937's state for an array of 32-bit words (init_by_array)."""
    mt = _init_genrand(19650218)
    i, j = 1, 0
    for _ in range(max(_N, len(key))):
        mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525)) + key[j] + j) & 0xFFFFFFFF
        i, j = i + 1, j + 1
        if i >= _N:
            mt[0], i = mt[_N - 1], 1
        if j >= len(key):
            j = 0
    for _ in range(_N - 1):
        mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941)) - i) & 0xFFFFFFFF
        i += 1
        if i >= _N:
            mt[0], i = mt[_N - 1], 1
    mt[0] = 0x80000000
    return mt


def _size_shape(size) -> tuple:
    if size is None:
        return ()
    return (operator.index(size),) if not isinstance(size, (tuple, list)) else tuple(map(operator.index, size))


class RandomState:
    """`np.random.RandomState(seed)`: NumPy's legacy generator (see the module docstring)."""

    def __init__(self, seed=None):
        self._mt = _pyrandom.Random()
        self.seed(seed)

    def seed(self, seed=None):
        if seed is None:
            words = [_pyrandom.SystemRandom().getrandbits(32) for _ in range(_N)]
            words[0] |= 0x80000000
        else:
            try:
                value = operator.index(seed)
            except TypeError:
                key = asarray(seed)
                if key.size == 0:
                    raise ValueError("Seed must be non-empty") from None
                if key.ndim != 1:
                    raise ValueError("Seed array must be 1-d") from None
                key = key.astype(_dtypes.int64)._values()
                if any(not 0 <= k <= 0xFFFFFFFF for k in key):
                    raise ValueError("Seed must be between 0 and 2**32 - 1") from None
                words = _init_by_array(key)
            else:
                if not 0 <= value <= 0xFFFFFFFF:
                    raise ValueError("Seed must be between 0 and 2**32 - 1")
                words = _init_genrand(value)
        self._mt.setstate((3, tuple(words) + (_N,), None))
        self._gauss = None  # the second value of the last Box-Muller pair, not yet returned

    # -- the legacy samplers of one value (numpy/random/src/legacy/legacy-distributions.c)
    def _double(self) -> float:
        return self._mt.random()  # (a >> 5) * 2**26 + (b >> 6), over 2**53: NumPy's legacy_double

    def _gauss_one(self) -> float:
        if self._gauss is not None:
            value, self._gauss = self._gauss, None
            return value
        while True:
            x1 = 2.0 * self._double() - 1.0
            x2 = 2.0 * self._double() - 1.0
            r2 = x1 * x1 + x2 * x2
            if 0.0 < r2 < 1.0:
                break
        f = math.sqrt(-2.0 * math.log(r2) / r2)
        self._gauss = f * x1
        return f * x2

    def _fill(self, draw, size, *params):
        """`size` draws (a Python float for size None with scalar parameters), parameters broadcast."""
        arrays = [asarray(p, _dtypes.float64) for p in params]
        shape = _size_shape(size) if size is not None else broadcast_shapes(*[a.shape for a in arrays])
        if size is None and not shape:
            return draw(*[a._values()[0] for a in arrays])
        columns = [broadcast_values(a, shape) for a in arrays]
        n = math.prod(shape)
        values = [draw(*[c[k] for c in columns]) for k in range(n)] if columns else [draw() for _ in range(n)]
        return _new(values, shape, _dtypes.float64)

    def random_sample(self, size=None):
        return self._fill(self._double, size)

    random = random_sample

    def rand(self, *shape):
        return self.random_sample(shape or None)

    def standard_normal(self, size=None):
        return self._fill(self._gauss_one, size)

    def randn(self, *shape):
        return self.standard_normal(shape or None)

    def normal(self, loc=0.0, scale=1.0, size=None):
        if asarray(scale).size and asarray(scale).min() < 0:
            raise ValueError("scale < 0")
        return self._fill(lambda m, s: m + s * self._gauss_one(), size, loc, scale)

    def uniform(self, low=0.0, high=1.0, size=None):
        return self._fill(lambda lo, hi: lo + (hi - lo) * self._double(), size, low, high)

    def get_state(self):
        raise NotImplementedError("numpylite's RandomState has no get_state; the output shown under the cell "
                                  "came from real NumPy when the page was built")


_global = RandomState()
seed = _global.seed
random_sample = random = _global.random_sample
rand = _global.rand
randn = _global.randn
standard_normal = _global.standard_normal
normal = _global.normal
uniform = _global.uniform
