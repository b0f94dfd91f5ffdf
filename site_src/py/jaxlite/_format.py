"""Print arrays exactly as JAX does, without NumPy.

JAX's ``repr``/``str`` hand the array to NumPy's ``array2string``, and NumPy
prints floats with its own Dragon4 code: shortest digits that round-trip *in
the array's dtype*, one notation (positional or scientific) chosen for the
whole array, and columns padded to a common width.  jaxlite runs in Pyodide,
where NumPy is not available, so this module re-derives that behaviour from
NumPy 2's ``numpy/_core/arrayprint.py`` and ``dragon4.c`` using only the
standard library.  The tests compare it character by character with real JAX.

Data conventions (shared by all of jaxlite): ``values`` is a flat row-major
list, ``shape`` a tuple, ``dtype`` a name such as ``'float32'``; floats are
Python floats already rounded to the dtype, ints already wrapped, bools bools.

Public functions: ``array_repr``, ``array_str``, ``format_scalar``,
``scalar_str`` and ``numpy_scalar_repr``.
"""

import math
import struct

# NumPy's default print options (np.get_printoptions()), which JAX uses.
LINE_WIDTH = 75
THRESHOLD = 1000      # more elements than this are summarized with "..."
EDGE_ITEMS = 3        # elements kept at each edge of a summarized axis
PRECISION = 8         # at most this many fractional digits ("maxprec")

FLOAT_DTYPES = ("float16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64",
              "uint8", "uint16", "uint32", "uint64")
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + ("bool",)

# IEEE layouts: struct code, mantissa bits, exponent bits, exponent bias.
_IEEE = {
    "float16": ("e", 10, 5, 15),
    "float32": ("f", 23, 8, 127),
    "float64": ("d", 52, 11, 1023),
}
_UINT_CODE = {"e": "H", "f": "I", "d": "Q"}

# np.finfo(dtype).precision: decimal digits the dtype reliably holds.
_DECIMAL_PRECISION = {"float16": 3, "float32": 6, "float64": 15}

# Dragon4 trimming modes, named after NumPy's single-letter codes.
TRIM_NONE = "k"        # keep trailing zeros and the decimal point
TRIM_ZEROS = "."       # drop trailing zeros, keep the point: "1."
TRIM_ONE_ZERO = "0"    # drop trailing zeros but keep one: "1.0"
TRIM_POINT = "-"       # drop trailing zeros and the point: "1"

_LOG10_2 = 0.30102999566398119521373889472449


def _check_dtype(dtype):
    if dtype not in ALL_DTYPES:
        raise ValueError(
            f"cannot print an array of dtype {dtype!r}: jaxlite only holds "
            f"{', '.join(ALL_DTYPES)}. Convert the array to one of these first.")


# ---------------------------------------------------------------------------
# Dragon4: decimal digits of a binary float
# ---------------------------------------------------------------------------

def _round_to_dtype(x, dtype):
    """x (a Python float) rounded to the nearest value of a float dtype."""
    if dtype == "float64":
        return x
    code = _IEEE[dtype][0]
    try:
        return struct.unpack(code, struct.pack(code, x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def _decompose(x, dtype):
    """Split a finite float into (negative, mantissa, exponent, mantissa_bit,
    unequal_margins) with |x| = mantissa * 2**exponent, as dragon4.c does.

    The margins are unequal when x is a power of two: the gap to the next
    float below is then half the gap to the next float above."""
    code, man_bits, exp_bits, bias = _IEEE[dtype]
    bits = struct.unpack(_UINT_CODE[code], struct.pack(code, x))[0]
    negative = bool(bits >> (man_bits + exp_bits))
    biased = (bits >> man_bits) & ((1 << exp_bits) - 1)
    fraction = bits & ((1 << man_bits) - 1)
    if biased:
        mantissa = (1 << man_bits) | fraction
        exponent = biased - bias - man_bits
        return negative, mantissa, exponent, man_bits, biased != 1 and fraction == 0
    # subnormal (or zero): no implicit leading bit
    exponent = 1 - bias - man_bits
    return negative, fraction, exponent, max(fraction.bit_length() - 1, 0), False


def _dragon4(mantissa, exponent, mantissa_bit, unequal, unique,
             fraction_cutoff, cutoff_max, cutoff_min):
    """Digits of mantissa * 2**exponent and the power of ten of the first one.

    unique: stop at the shortest digits that still identify the value among
    its dtype's neighbours; otherwise print the exact expansion.
    cutoff_max / cutoff_min (-1 for none) bound the digits printed, counted
    after the decimal point when fraction_cutoff, else in total.  The last
    digit is rounded half-to-even, exactly as NumPy's dragon4.c does."""
    if mantissa == 0:
        return "0", 0
    # value = scaled / scale; the margins are half the gaps to the neighbours.
    even = mantissa % 2 == 0
    extra = 2 if unequal else 1
    if exponent > 0:
        scaled = mantissa << (exponent + extra)
        scale = 1 << extra
        margin_low = 1 << exponent
    else:
        scaled = mantissa << extra
        scale = 1 << (extra - exponent)
        margin_low = 1
    # An estimate of floor(log10(value)) + 1, low by at most one.
    digit_exp = math.ceil((mantissa_bit + exponent) * _LOG10_2 - 0.69)
    if cutoff_max >= 0 and fraction_cutoff and digit_exp <= -cutoff_max:
        digit_exp = -cutoff_max + 1
    if digit_exp > 0:
        scale *= 10 ** digit_exp
    elif digit_exp < 0:
        power = 10 ** -digit_exp
        scaled *= power
        margin_low *= power
    if scaled >= scale:
        digit_exp += 1
    else:
        scaled *= 10
        margin_low *= 10
    margin_high = margin_low * 2 if unequal else margin_low

    last_exp = digit_exp - 16384  # dragon4.c's buffer size: effectively none
    if cutoff_max >= 0:
        wanted = -cutoff_max if fraction_cutoff else digit_exp - cutoff_max
        last_exp = max(last_exp, wanted)
    first_stop_exp = digit_exp
    if cutoff_min >= 0:
        wanted = -cutoff_min if fraction_cutoff else digit_exp - cutoff_min
        first_stop_exp = min(first_stop_exp, wanted)
    print_exp = digit_exp - 1

    digits = []
    low = high = False
    if unique:
        while True:
            digit_exp -= 1
            digit, scaled = divmod(scaled, scale)
            if even:
                low = scaled <= margin_low
                high = scaled + margin_high >= scale
            else:
                low = scaled < margin_low
                high = scaled + margin_high > scale
            if ((low or high) and digit_exp <= first_stop_exp) or digit_exp == last_exp:
                break
            digits.append(digit)
            scaled *= 10
            margin_low *= 10
            margin_high = margin_low * 2 if unequal else margin_low
    else:
        while True:
            digit_exp -= 1
            digit, scaled = divmod(scaled, scale)
            if scaled == 0 or digit_exp == last_exp:
                break
            digits.append(digit)
            scaled *= 10

    round_down = low
    if low == high:
        twice = 2 * scaled
        round_down = twice < scale or (twice == scale and digit % 2 == 0)
    if round_down:
        digits.append(digit)
    elif digit < 9:
        digits.append(digit + 1)
    else:
        # carry: drop trailing nines and bump the digit before them
        while digits and digits[-1] == 9:
            digits.pop()
        if digits:
            digits[-1] += 1
        else:
            digits.append(1)
            print_exp += 1
    return "".join(map(str, digits)), print_exp


def _special(x, sign_plus):
    if x != x:
        return "nan"
    if x < 0:
        return "-inf"
    return "+inf" if sign_plus else "inf"


def _sign_of(negative, sign_plus):
    if negative:
        return "-"
    return "+" if sign_plus else ""


def _strip_zeros(text, frac, trim):
    """Trim trailing fractional zeros per `trim`; returns (text, frac)."""
    if trim == TRIM_NONE or frac == 0:
        return text, frac
    stripped = text.rstrip("0")
    frac -= len(text) - len(stripped)
    return stripped, frac


def format_positional(x, dtype, precision=-1, unique=True, fractional=True,
                      trim=TRIM_NONE, sign=False, pad_left=-1, pad_right=-1,
                      min_digits=-1):
    """np.format_float_positional / dragon4_positional for one value."""
    if not math.isfinite(x):
        return _special(x, sign)
    negative, mantissa, exponent, mbit, unequal = _decompose(x, dtype)
    digits, print_exp = _dragon4(mantissa, exponent, mbit, unequal, unique,
                                 fractional, precision, min_digits)
    sign_text = _sign_of(negative, sign)
    count = len(digits)
    if print_exp >= 0:
        whole = print_exp + 1
        if count <= whole:
            text, frac = digits + "0" * (whole - count), 0
        else:
            text, frac = digits[:whole] + "." + digits[whole:], count - whole
    else:
        zeros = -(print_exp + 1)
        text, frac, whole = "0." + "0" * zeros + digits, zeros + count, 1
    if trim != TRIM_POINT and frac == 0:
        text += "."
    add = min_digits if unique else precision
    wanted = max(add, 0) if fractional else add - whole
    if trim == TRIM_ONE_ZERO:
        if frac == 0:
            text, frac = text + "0", 1
    elif trim == TRIM_NONE and wanted > frac:
        text, frac = text + "0" * (wanted - frac), wanted
    text, frac = _strip_zeros(text, frac, trim)
    if trim != TRIM_NONE and text.endswith("."):
        if trim == TRIM_ONE_ZERO:
            text, frac = text + "0", frac + 1
        elif trim == TRIM_POINT:
            text = text[:-1]
    if pad_right >= frac:
        if trim == TRIM_POINT and frac == 0:
            text += " "
        text += " " * (pad_right - frac)
    text = sign_text + text
    shift = pad_left - (whole + len(sign_text))
    return " " * shift + text if shift > 0 else text


def format_scientific(x, dtype, precision=-1, unique=True, trim=TRIM_NONE,
                      sign=False, pad_left=-1, exp_digits=-1, min_digits=-1):
    """np.format_float_scientific / dragon4_scientific for one value."""
    if not math.isfinite(x):
        return _special(x, sign)
    negative, mantissa, exponent, mbit, unequal = _decompose(x, dtype)
    digits, print_exp = _dragon4(
        mantissa, exponent, mbit, unequal, unique, False,
        precision + 1 if precision >= 0 else -1,
        min_digits + 1 if min_digits >= 0 else -1)
    sign_text = _sign_of(negative, sign)
    frac = len(digits) - 1
    text = digits[0] + ("." + digits[1:] if frac else "")
    if trim != TRIM_POINT and frac == 0:
        text += "."
    add = max(min_digits if unique else precision, 0)
    if trim == TRIM_ONE_ZERO:
        if frac == 0:
            text, frac = text + "0", 1
    elif trim == TRIM_NONE and add > frac:
        text, frac = text + "0" * (add - frac), add
    text, frac = _strip_zeros(text, frac, trim)
    if trim == TRIM_ONE_ZERO and text.endswith("."):
        text += "0"
    exp_digits = 2 if exp_digits < 0 else min(exp_digits, 5)
    exp_sign = "+" if print_exp >= 0 else "-"
    # at least exp_digits digits; dragon4.c prints none for 0 when that is 0
    magnitude = str(abs(print_exp)) if print_exp else ""
    text += "e" + exp_sign + magnitude.zfill(exp_digits)
    shift = pad_left - (1 + len(sign_text))
    return " " * max(shift, 0) + sign_text + text


# ---------------------------------------------------------------------------
# Element formatters: one per kind, fitted to the whole array's data
# ---------------------------------------------------------------------------

class FloatFormat:
    """NumPy's FloatingFormat with the default options: floatmode='maxprec',
    precision=8, no suppression, sign='-'.

    It looks at every (finite) value once to choose the notation and the
    column widths, then formats each value into that common shape."""

    def __init__(self, data, dtype):
        self.dtype = dtype
        finite = [v for v in data if math.isfinite(v)]
        self.exp_format = self._wants_scientific(finite)
        self.precision = PRECISION
        if not finite:
            self.pad_left = self.pad_right = 0
            self.min_digits = -1
            self.exp_size = -1
        elif self.exp_format:
            self._fit_scientific(finite)
        else:
            self._fit_positional(finite)
        if len(finite) != len(data):
            # nan and inf are right-aligned in the same columns
            neg_inf = any(v == -math.inf for v in data)
            offset = self.pad_right + 1
            self.pad_left = max(self.pad_left, 3 - offset, 3 + neg_inf - offset)

    def _wants_scientific(self, finite):
        magnitudes = [abs(v) for v in finite if v != 0]
        if not magnitudes:
            return False
        largest, smallest = max(magnitudes), min(magnitudes)
        # NumPy compares in the array's dtype: Python floats in these
        # comparisons become dtype values, and the ratio is a dtype division.
        cutoff = 10.0 ** min(8, _DECIMAL_PRECISION[self.dtype])
        tiny = _round_to_dtype(0.0001, self.dtype)
        ratio = _round_to_dtype(largest / smallest, self.dtype)
        return largest >= cutoff or smallest < tiny or ratio > 1000.0

    def _fit_scientific(self, finite):
        texts = [format_scientific(v, self.dtype, precision=self.precision,
                                   unique=True, trim=TRIM_ZEROS)
                 for v in finite]
        mantissas, exponents = zip(*(t.split("e") for t in texts))
        whole, fractions = zip(*(m.split(".") for m in mantissas))
        self.exp_size = max(len(e) for e in exponents) - 1
        self.precision = self.min_digits = max(len(f) for f in fractions)
        self.pad_left = max(len(w) for w in whole)
        self.pad_right = self.exp_size + 2 + self.precision

    def _fit_positional(self, finite):
        texts = [format_positional(v, self.dtype, precision=self.precision,
                                   unique=True, trim=TRIM_ZEROS)
                 for v in finite]
        whole, fractions = zip(*(t.split(".") for t in texts))
        self.pad_left = max(len(w) for w in whole)
        self.pad_right = max(len(f) for f in fractions)
        self.exp_size = -1
        self.min_digits = 0

    def __call__(self, x):
        if not math.isfinite(x):
            text = _special(x, False)
            return " " * (self.pad_left + self.pad_right + 1 - len(text)) + text
        if self.exp_format:
            return format_scientific(
                x, self.dtype, precision=self.precision,
                min_digits=self.min_digits, unique=True, trim=TRIM_NONE,
                pad_left=self.pad_left, exp_digits=self.exp_size)
        return format_positional(
            x, self.dtype, precision=self.precision,
            min_digits=self.min_digits, unique=True, trim=TRIM_ZEROS,
            pad_left=self.pad_left, pad_right=self.pad_right)


class IntFormat:
    """Right-aligned to the widest of the largest and smallest value."""

    def __init__(self, data):
        width = max(len(str(max(data))), len(str(min(data)))) if data else 0
        self.width = width

    def __call__(self, x):
        return str(x).rjust(self.width)


class BoolFormat:
    """' True' is padded to the width of 'False', except in a 0-d array."""

    def __init__(self, zero_d):
        self.true_text = "True" if zero_d else " True"

    def __call__(self, x):
        return self.true_text if x else "False"


def _formatter(data, dtype, zero_d):
    if dtype == "bool":
        return BoolFormat(zero_d)
    if dtype in INT_DTYPES:
        return IntFormat(data)
    return FloatFormat(data, dtype)


# ---------------------------------------------------------------------------
# Layout: nested brackets, line wrapping, summarization
# ---------------------------------------------------------------------------

def _strides(shape):
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


def _kept_indices(size, summarize):
    """Indices along one axis that are printed (all, or both edges)."""
    if summarize and size > 2 * EDGE_ITEMS:
        return list(range(EDGE_ITEMS)) + list(range(size - EDGE_ITEMS, size))
    return list(range(size))


def _printed_values(values, shape, summarize):
    """The values NumPy looks at to choose widths: the corners it prints."""
    if not summarize:
        return values
    offsets = [0]
    for size, stride in zip(shape, _strides(shape)):
        kept = _kept_indices(size, True)
        offsets = [o + i * stride for o in offsets for i in kept]
    return [values[o] for o in offsets]


def _extend_line(s, line, word, width, next_prefix):
    # wrap only if it helps: a line holding just the indent stays put
    if len(line) + len(word) > width and len(line) > len(next_prefix):
        s += line.rstrip() + "\n"
        line = next_prefix
    return s, line + word


def _extend_line_pretty(s, line, word, width, next_prefix):
    """Like _extend_line, but a multi-line word keeps its own alignment."""
    words = word.splitlines()
    if len(words) == 1:
        return _extend_line(s, line, word, width, next_prefix)
    longest = max(len(w) for w in words)
    if len(line) + longest > width and len(line) > len(next_prefix):
        s += line.rstrip() + "\n"
        line = next_prefix + words[0]
        indent = next_prefix
    else:
        indent = " " * len(line)
        line += words[0]
    for w in words[1:]:
        s += line.rstrip() + "\n"
        line = indent + w
    return s, line + " " * (longest - len(words[-1]))


def _format_nested(values, shape, fmt, line_width, next_prefix, separator,
                   summarize):
    """NumPy's _formatArray on a flat row-major list."""
    strides = _strides(shape)
    ndim = len(shape)

    def recurse(axis, offset, hanging, width):
        if axis == ndim:
            return fmt(values[offset])
        next_hanging = hanging + " "
        next_width = width - 1  # room for the closing "]"
        size, stride = shape[axis], strides[axis]
        show_summary = summarize and size > 2 * EDGE_ITEMS
        leading = EDGE_ITEMS if show_summary else 0
        trailing = EDGE_ITEMS if show_summary else size
        order = list(range(leading)) + list(range(size - trailing, size))

        def sub(i):
            return recurse(axis + 1, offset + i * stride, next_hanging, next_width)

        if ndim - axis == 1:
            elem_width = width - max(len(separator.rstrip()), 1)
            s, line = "", hanging
            for n, i in enumerate(order):
                if show_summary and n == leading:
                    s, line = _extend_line(s, line, "...", elem_width, hanging)
                    line += separator
                s, line = _extend_line_pretty(s, line, sub(i), elem_width, hanging)
                if n != len(order) - 1:
                    line += separator
            s += line
        else:
            line_sep = separator.rstrip() + "\n" * (ndim - axis - 1)
            parts = [hanging + sub(i) for i in order]
            if show_summary:
                parts.insert(leading, hanging + "...")
            s = line_sep.join(parts)
        return "[" + s[len(hanging):] + "]"

    return recurse(0, 0, next_prefix, line_width)


def _array2string(values, shape, dtype, separator, prefix, suffix):
    """np.array2string(a, separator=..., prefix=..., suffix=...)."""
    size = math.prod(shape)
    if size == 0:
        return "[]"
    summarize = size > THRESHOLD
    fmt = _formatter(_printed_values(values, shape, summarize), dtype,
                     zero_d=not shape)
    return _format_nested(values, shape, fmt, LINE_WIDTH - len(suffix),
                          " " + " " * len(prefix), separator, summarize)


def _check_array(values, shape, dtype):
    _check_dtype(dtype)
    shape = tuple(shape)
    if len(values) != math.prod(shape):
        raise ValueError(
            f"cannot print {len(values)} values as an array of shape {shape}: "
            f"the shape needs {math.prod(shape)}. Pass the flat row-major data.")
    return shape


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------

def array_repr(values, shape, dtype, weak_type=False):
    """Exactly ``repr(jax_array)``, e.g. ``Array([1., 2.], dtype=float32)``."""
    shape = _check_array(values, shape, dtype)
    prefix = "Array("
    dtype_text = f"dtype={dtype}" + (", weak_type=True" if weak_type else "")
    if not values:
        body = f"[], shape={shape}"
    else:
        body = _array2string(values, shape, dtype, ", ", prefix, ",")
    last_line_len = len(body) - body.rfind("\n") + 1
    # JAX's own quirk: when the dtype does not fit it pads with spaces
    # (the width of "Array(") instead of starting a new line.
    sep = " " * len(prefix) if last_line_len + len(dtype_text) + 2 > LINE_WIDTH else " "
    return f"{prefix}{body},{sep}{dtype_text})"


def array_str(values, shape, dtype):
    """Exactly ``str(jax_array)``, what ``print(x)`` shows."""
    shape = _check_array(values, shape, dtype)
    if not shape:
        return scalar_str(values[0], dtype)
    return _array2string(values, shape, dtype, " ", "", "")


def scalar_str(value, dtype):
    """``str`` of a NumPy scalar of this dtype (also ``str`` of a 0-d array)."""
    _check_dtype(dtype)
    if dtype == "bool":
        return str(bool(value))
    if dtype in INT_DTYPES:
        return str(int(value))
    x = float(value)
    # Positional between 1e-4 and 10**precision of the dtype (1e16 for
    # float64), scientific outside; zero and nan are always positional.
    upper = 1e16 if dtype == "float64" else 10.0 ** _DECIMAL_PRECISION[dtype]
    if x != x or x == 0 or (math.isfinite(x) and 1e-4 <= abs(x) < upper):
        return format_positional(x, dtype, trim=TRIM_ONE_ZERO)
    return format_scientific(x, dtype, trim=TRIM_POINT)


def numpy_scalar_repr(value, dtype):
    """``repr`` of a NumPy 2 scalar: ``np.float32(0.5)``, ``np.True_``."""
    _check_dtype(dtype)
    if dtype == "bool":
        return "np.True_" if value else "np.False_"
    return f"np.{dtype}({scalar_str(value, dtype)})"


def format_scalar(value, dtype, format_spec=""):
    """``format(x, spec)`` for a 0-d JAX array, as f-strings use it.

    JAX formats the NumPy scalar, and NumPy formats the Python bool, int or
    float it converts to; so ``f"{x}"`` of a float32 0.1 is the full double
    ``0.10000000149011612``, not ``0.1``."""
    _check_dtype(dtype)
    if dtype == "bool":
        return format(bool(value), format_spec)
    if dtype in INT_DTYPES:
        return format(int(value), format_spec)
    return format(float(value), format_spec)
