"""CIFAR-10 loading: batches in the format of the official python-version archive (its pickles,
or a copy's), split and preprocessed for the homework.

The data set is fetched by ``datasets/get_datasets.sh``; this module only reads what that script
extracted. ``CIFAR10_DIR`` (environment) overrides where it looks. Batches are read by a
restricted unpickler that rebuilds plain containers and numpy arrays of numbers only, the
arrays from their raw bytes without numpy's own unpickling, so a tampered file can neither run
code nor have numpy treat its bytes as pointers.
"""
import io
import math
import os
import pickle
import pickletools
import re
from pathlib import Path

import numpy as np

from cs231n.checks import check_count

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CIFAR10_DIR = REPO_ROOT / "datasets" / "cifar-10-batches-py"
# Where the course's own notebooks keep it, when this package is copied into a course folder as
# its cs231n/: cs231n/datasets/cifar-10-batches-py
COURSE_CIFAR10_DIR = Path(__file__).resolve().parent / "datasets" / "cifar-10-batches-py"
FETCH_COMMAND = "bash datasets/get_datasets.sh"
_LOCAL_ARCHIVE = "local archive "   # how SOURCE.txt names a local copy of the archive
# Unofficial archives known by their md5, and what they are
KNOWN_MIRRORS = {
    "4fcaf0413fc693a7ad1b32e8c51bd61b":
        "a CIFAR-10 mirror rebuilt from a public JPEG copy of the images (the same images and "
        "labels in another order, with pixel values slightly different from the official "
        "release's: its validation split holds other images, and accuracies are close to, not "
        "identical with, those on the official data)",
}
CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
IMAGE_SHAPE = (32, 32, 3)
NUM_CLASSES = len(CLASSES)


def cifar10_dir():
    """The CIFAR-10 folder: $CIFAR10_DIR if set, else datasets/cifar-10-batches-py of this
    repo, else, if only it holds the data, the course's layout, datasets/cifar-10-batches-py
    inside this package's folder."""
    if os.environ.get("CIFAR10_DIR"):
        return Path(os.environ["CIFAR10_DIR"])
    if (not (DEFAULT_CIFAR10_DIR / "data_batch_1").is_file()
            and (COURSE_CIFAR10_DIR / "data_batch_1").is_file()):
        return COURSE_CIFAR10_DIR
    return DEFAULT_CIFAR10_DIR


# A CIFAR-10 batch is a pickle of plain values and numpy arrays. An array's pickle names
# numpy's reconstruction functions and numpy.dtype and hands them a state read from the file;
# numpy's own dtype.__setstate__ trusts the flags in that state (a dtype flagged as holding
# Python objects makes numpy follow pointers read from the file), so no state from a file ever
# reaches numpy. The names a batch may use map instead to the stand-ins below, which take a
# plain number type by its type code, read the array's bytes with np.frombuffer, and refuse
# anything else. They are classes whose attributes a pickle cannot set (_Sealed), so a file
# cannot alter them either.
# A plain number type's code: byte order, then bool, signed or unsigned integer or float, then
# its size in bytes ('u1', '<i8', '|b1', 'f4'); np.dtype never parses anything else from a file.
_NUMBER_CODE = re.compile(r"[<>=|]?[?biuf][0-9]{0,2}")
# numpy's limits: a shape has at most 64 axes of fewer than 2**63 elements each.
_MAX_AXES, _MAX_AXIS = 64, 2 ** 63
# The most characters of a string from the file that a message shows (it could hold a whole
# file, or lines that look like the loader's own).
_SHOWN_LENGTH = 100


def _is_short(value):
    """Whether a message may show value's repr: None, an int of at most 64 bits, or a str or
    bytes of at most _SHOWN_LENGTH (a repr escapes newlines and the like)."""
    return (isinstance(value, (str, bytes)) and len(value) <= _SHOWN_LENGTH
            or isinstance(value, int) and abs(value) < 2 ** 64 or value is None)


def _brief(value):
    """A short description of a value from the file, for a message: its repr when that is
    short (a short string or number, or a tuple of up to 8 of them), else its type; a repr can
    be as long as the file."""
    if _is_short(value) or isinstance(value, tuple) and len(value) <= 8 and all(
            map(_is_short, value)):
        return repr(value)
    return f"a {type(value).__name__}"


class _Sealed(type):
    """Metaclass of the stand-ins: a pickle's BUILD opcode could otherwise set class
    attributes."""

    def __setattr__(cls, name, value):
        raise pickle.UnpicklingError(f"a pickle tried to set {cls.__name__}.{_brief(name)}")


class _PickledDtype(metaclass=_Sealed):
    """numpy.dtype(code, align, copy) as a pickle calls it; .dtype is np.dtype(code), a plain
    number type, in the byte order the pickled state gives."""
    __slots__ = ("dtype",)

    def __init__(self, code, align=False, copy=True):
        if not (isinstance(code, str) and _NUMBER_CODE.fullmatch(code)):
            raise pickle.UnpicklingError(f"an array of type {_brief(code)}, which is not a "
                                         "plain number type (a CIFAR-10 batch holds only "
                                         "numbers)")
        self.dtype = np.dtype(code)

    def __setstate__(self, state):
        # numpy's dtype state: (version, byte order, subarray, names, fields, item size,
        # alignment, flags[, metadata]); a number type has no subarray, names or fields.
        if not (isinstance(state, tuple) and len(state) in (8, 9)
                and state[1] in ("<", ">", "|", "=")
                and state[2] is state[3] is state[4] is None
                and state[7] == self.dtype.flags):
            raise pickle.UnpicklingError(f"an array of type {self.dtype} with a state no plain "
                                         "number type has (fields, a subarray or flags)")
        self.dtype = self.dtype.newbyteorder(state[1])


class _PickledArray(metaclass=_Sealed):
    """numpy's _reconstruct(ndarray, shape, typecode) as a pickle calls it, with the array's
    state (version, shape, dtype, is_fortran, bytes) set after; .array is the array."""
    __slots__ = ("array",)

    def __init__(self, subtype, shape, typecode):
        if subtype is not _PickledArray:
            raise pickle.UnpicklingError(f"an array of type {_brief(subtype)}")
        self.array = None

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 5:
            state = state[1:]   # the version, 1
        if not (isinstance(state, tuple) and len(state) == 4):
            raise pickle.UnpicklingError("an array whose state is not (shape, dtype, order, "
                                         "data)")
        shape, dtype, is_fortran, data = state
        self.array = _array_from_bytes(data, dtype, shape, "F" if is_fortran else "C")


class _PickledBufferArray(_PickledArray):
    """numpy's _frombuffer(buffer, dtype, shape, order[, axis_order]) as a pickle calls it
    (protocol 5, Python 3.14's default); .array is the array."""
    __slots__ = ()

    def __init__(self, buffer, dtype, shape, order, axis_order=None):
        if order == "K" and axis_order is not None:
            if not (isinstance(axis_order, tuple) and isinstance(shape, tuple)
                    and len(axis_order) == len(shape) <= _MAX_AXES
                    and sorted(axis_order) == list(range(len(shape)))):
                raise pickle.UnpicklingError(f"an array of axis order {_brief(axis_order)}")
            self.array = _array_from_bytes(buffer, dtype, shape, "C").transpose(axis_order)
        elif order in ("C", "F"):
            self.array = _array_from_bytes(buffer, dtype, shape, order)
        else:
            raise pickle.UnpicklingError(f"an array of order {_brief(order)}")


class _Latin1Bytes(metaclass=_Sealed):
    """_codecs.encode(text, 'latin1') as a protocol-2 pickle calls it for bytes: returns the
    bytes."""
    __slots__ = ()

    def __new__(cls, text, encoding):
        if not (isinstance(text, str) and encoding in ("latin1", "latin-1")):
            raise pickle.UnpicklingError(f"_codecs.encode of {_brief(text)} to "
                                         f"{_brief(encoding)}")
        return text.encode("latin1")


class _EmptyBytes(metaclass=_Sealed):
    """bytes() as a protocol-2 pickle calls it for b"": returns b"" (and takes no size, which
    would have it allocate any amount)."""
    __slots__ = ()

    def __new__(cls):
        return b""


def _array_from_bytes(data, dtype, shape, order):
    """The array of the given shape read from data (bytes; a latin-1 str from Python 2), or
    UnpicklingError unless the type is a _PickledDtype and the bytes fill the shape exactly."""
    if isinstance(data, str):   # a Python 2 str, which the unpickler decoded as latin-1
        data = data.encode("latin1")
    if not (isinstance(dtype, _PickledDtype) and isinstance(data, (bytes, bytearray))):
        raise pickle.UnpicklingError("an array without a number type and bytes of data")
    if not (isinstance(shape, tuple) and len(shape) <= _MAX_AXES
            and all(type(n) is int and 0 <= n < _MAX_AXIS for n in shape)):
        raise pickle.UnpicklingError(f"an array of shape {_brief(shape)}")
    if math.prod(shape) * dtype.dtype.itemsize != len(data):
        raise pickle.UnpicklingError(f"an array of shape {shape} and type {dtype.dtype}, "
                                     f"which its {len(data)} bytes of data do not fill")
    return np.frombuffer(data, dtype.dtype).reshape(shape, order=order)


# As the official files spell them (numpy 1.x under Python 2), and as numpy >= 2 does under
# pickle protocols 0 to 5.
_BATCH_GLOBALS = {
    **dict.fromkeys([("numpy.core.multiarray", "_reconstruct"),
                     ("numpy._core.multiarray", "_reconstruct"),
                     ("numpy", "ndarray")], _PickledArray),
    **dict.fromkeys([("numpy.core.numeric", "_frombuffer"),
                     ("numpy._core.numeric", "_frombuffer")], _PickledBufferArray),
    ("numpy", "dtype"): _PickledDtype,
    ("_codecs", "encode"): _Latin1Bytes,
    ("__builtin__", "bytes"): _EmptyBytes,
}


class _ForbiddenGlobal(pickle.UnpicklingError):
    """A pickle named a callable outside _BATCH_GLOBALS; .name is its fully qualified name, as
    printable text of at most _SHOWN_LENGTH characters (escaped and cut otherwise)."""

    def __init__(self, name):
        super().__init__(name)
        self.name = (name if len(name) <= _SHOWN_LENGTH and name.isprintable()
                     else ascii(name[:_SHOWN_LENGTH]))


class _BatchUnpickler(pickle.Unpickler):
    """Unpickler that rebuilds plain Python values (dicts, lists, tuples, strings, numbers,
    None) and numpy arrays of numbers, and no other object.

    Every global a pickle names (the only way it can reach a callable) goes through find_class,
    which gives the stand-ins of _BATCH_GLOBALS and refuses every other name before anything is
    called.
    """

    def find_class(self, module, name):
        try:
            return _BATCH_GLOBALS[module, name]
        except KeyError:
            raise _ForbiddenGlobal(f"{module}.{name}") from None


# The opcodes that pickles of dicts, lists, tuples, strings, numbers and numpy arrays use, under
# protocols 0 to 5 (Python 2's cPickle wrote protocol 0 by default, the official files 2).
_SCALAR_OPCODES = {
    "NONE", "NEWTRUE", "NEWFALSE", "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1",
    "LONG4", "FLOAT", "BINFLOAT", "STRING", "SHORT_BINSTRING", "BINSTRING", "UNICODE",
    "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "SHORT_BINBYTES", "BINBYTES", "BINBYTES8",
    "BYTEARRAY8"}
_CONTAINER_OPCODES = {"EMPTY_DICT", "DICT", "EMPTY_LIST", "LIST", "EMPTY_TUPLE", "TUPLE",
                      "TUPLE1", "TUPLE2", "TUPLE3"}
_FILL_OPCODES = {"APPEND", "APPENDS", "SETITEM", "SETITEMS"}
_PUT_OPCODES = {"PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"}
_GET_OPCODES = {"GET", "BINGET", "LONG_BINGET"}
_BATCH_OPCODES = (_SCALAR_OPCODES | _CONTAINER_OPCODES | _FILL_OPCODES | _PUT_OPCODES
                  | _GET_OPCODES | {"PROTO", "FRAME", "STOP", "MARK", "GLOBAL", "STACK_GLOBAL",
                                    "REDUCE", "BUILD"})
# Bounds far above a batch's and far below what makes hashing, copying or recursion costly:
# - nesting: a batch's deepest value is an array's shape, 3 deep; a tuple nested 200,000 deep
#   crashes the interpreter when hashed;
_MAX_DEPTH = 16
# - containers: one per 16 bytes of the file (an empty dict takes 1 byte of a pickle and 64 of
#   memory), and 1000 for any file; a batch has a few, and one per bytes object under
#   protocols 0 to 2;
_BYTES_PER_CONTAINER, _MIN_CONTAINERS = 16, 1000
# - dict entries: a batch has 2 to 4; integer keys chosen to collide make insertion quadratic;
_MAX_DICT_ITEMS = 64
# - strings and bytes referred to again through the memo: each call of _codecs.encode on a
#   shared string takes 7 bytes of the file and copies the string;
_MAX_SHARED_LENGTH = 64
# - opcodes: an official batch has 30,108; the scan takes some 3 microseconds each.
_MAX_OPCODES = 1_000_000
# What the scan knows of an object that is not a container: (depth 0, whether it may be
# referred to again). Two shared tuples, so that a file of a million Nones costs no more in the
# scan than in the unpickler.
_SHAREABLE, _NOT_SHAREABLE = (0, True), (0, False)


def _scalar_entry(value):
    """The scan's entry for a string, bytes or number read from the file: shareable if it is
    None, a bool, a float, an int of at most 64 bits, or a str or bytes of at most
    _MAX_SHARED_LENGTH; never a bytearray, which APPEND can grow."""
    if isinstance(value, bytearray):
        return _NOT_SHAREABLE
    if isinstance(value, int):
        shareable = value.bit_length() <= 64
    elif isinstance(value, (str, bytes)):
        shareable = len(value) <= _MAX_SHARED_LENGTH
    else:
        shareable = True
    return _SHAREABLE if shareable else _NOT_SHAREABLE


def _check_opcodes(data):
    """Raise UnpicklingError unless the pickle in data (bytes) is one a batch could be.

    It replays the opcodes (read by pickletools, which checks every declared length against
    the bytes left, so nothing is allocated beyond the file's size) on a stack of what each
    object is: its nesting depth (0 for strings, numbers, globals and what the stand-ins make;
    containers 1 and up) and whether the memo may give it again. Only _BATCH_OPCODES are
    allowed, memo entries in order, and second references only to short strings and bytes,
    small numbers, globals and the stand-ins' results (arrays, dtypes, and bytes that are
    shared, not copied, by np.frombuffer, and whose hash is cached): the values then form a
    tree about as big as the file. Nesting, containers, dict entries and opcodes are bounded
    (_MAX_DEPTH and the constants after it).
    """
    stack, marks, memo = [], [], []   # stack and memo entries: (depth, shareable)
    containers = dict_items = 0
    max_containers = _MIN_CONTAINERS + len(data) // _BYTES_PER_CONTAINER
    for number, (opcode, arg, position) in enumerate(pickletools.genops(io.BytesIO(data))):
        name, where = opcode.name, f"at byte {position}"
        if number == _MAX_OPCODES:
            raise pickle.UnpicklingError(f"more than {_MAX_OPCODES} opcodes {where}")
        if name not in _BATCH_OPCODES:
            raise pickle.UnpicklingError(f"opcode {name} {where}, which a CIFAR-10 batch does "
                                         "not use")
        if name == "FRAME" and arg > len(data) - position - 9:   # after its 9-byte header
            raise pickle.UnpicklingError(f"a frame {where} longer than the file")
        if name == "MARK":
            marks.append(len(stack))
            continue
        before, items = list(opcode.stack_before), []
        if pickletools.markobject in before:   # takes everything above the topmost mark
            if not marks:
                raise pickle.UnpicklingError(f"{name} {where} without a mark")
            start = marks.pop()
            items, stack[start:] = stack[start:], []
            before = before[:before.index(pickletools.markobject)]
        if name in _PUT_OPCODES:
            if not stack or name != "MEMOIZE" and arg != len(memo):
                raise pickle.UnpicklingError(f"memo entry {arg} {where}, out of order")
            memo.append(stack[-1])
            continue
        if len(stack) - len(before) < (marks[-1] if marks else 0):
            raise pickle.UnpicklingError(f"{name} {where} with too few objects on the stack")
        popped = stack[len(stack) - len(before):]
        del stack[len(stack) - len(before):]
        containers += name in _CONTAINER_OPCODES
        dict_items += (name in ("DICT", "SETITEMS")) * len(items) // 2 + (name == "SETITEM")
        entry = _stack_entry(name, arg, popped, items, memo, where)
        if entry is None:   # PROTO, FRAME, STOP
            continue
        for count, most, what in ((entry[0], _MAX_DEPTH, "levels of nesting"),
                                  (containers, max_containers, "containers"),
                                  (dict_items, _MAX_DICT_ITEMS, "dict entries")):
            if count > most:
                raise pickle.UnpicklingError(f"more than {most} {what} {where}")
        stack.append(entry)
    if position != len(data) - 1:   # the last opcode genops gives is STOP
        raise pickle.UnpicklingError(f"{len(data) - 1 - position} bytes after the pickle's end")


def _stack_entry(name, arg, popped, items, memo, where):
    """The scan's entry (depth, shareable) for what opcode `name` pushes, having taken `popped`
    from the stack (and `items`, the objects above its mark); None if it pushes nothing."""
    if name in _GET_OPCODES:
        if not (arg < len(memo) and memo[arg][1]):
            raise pickle.UnpicklingError(f"a second reference {where} to memo entry {arg}, "
                                         "which is not a short string or a small number")
        return memo[arg]
    if name in _CONTAINER_OPCODES:
        return 1 + max((depth for depth, _ in items + popped), default=0), False
    if name in _FILL_OPCODES:   # the container, now holding the objects after it
        return max(popped[0][0], 1 + max((d for d, _ in items + popped[1:]), default=0)), False
    if name == "BUILD":   # the object built; the stand-ins keep nothing of the state
        return popped[0]
    if name in ("REDUCE", "GLOBAL", "STACK_GLOBAL"):   # stand-ins and their results, classes
        return _SHAREABLE
    if name in _SCALAR_OPCODES:
        return _scalar_entry(arg)
    return None


def _unpickle(filename):
    """The pickle in filename, a dict's top-level arrays made numpy arrays (nested ones stay
    stand-ins, which no check of a batch accepts)."""
    data = Path(filename).read_bytes()
    _check_opcodes(data)
    value = _BatchUnpickler(io.BytesIO(data), encoding="latin1").load()
    if isinstance(value, dict):
        value = {k: _numpy_array(v) for k, v in value.items()}
    return value


def _numpy_array(value):
    if not isinstance(value, _PickledArray):
        return value
    if value.array is None:
        raise pickle.UnpicklingError("an array without its data")
    return value.array


def _read_batch(filename):
    """Read and check one batch file; returns X (N, 32, 32, 3) uint8 (HWC) and Y (N,) int64."""
    try:
        batch = _unpickle(filename)
    except _ForbiddenGlobal as e:
        raise ValueError(
            f"{filename}: refused to load: it asks for {e.name}, which a CIFAR-10 batch never "
            f"contains (only plain values such as dicts, lists, strings and numbers, and numpy "
            f"arrays); nothing was called, and "
            f"the file may be malicious. Delete the data folder and fetch clean data with "
            f"{FETCH_COMMAND}") from None
    except OSError:
        raise                # a missing or unreadable file, not a malformed one
    except Exception as e:   # whatever a malformed stream makes the unpickler or numpy raise
        detail = str(e) if isinstance(e, pickle.UnpicklingError) else f"{type(e).__name__}: {e}"
        detail = ascii(detail[:2 * _SHOWN_LENGTH])[1:-1]   # escaped, as it may quote the file
        raise ValueError(f"{filename}: not a readable CIFAR-10 batch pickle ({detail}); "
                         f"delete the data folder and fetch it again with "
                         f"{FETCH_COMMAND}") from e
    if not isinstance(batch, dict):
        raise ValueError(f"{filename}: expected a dict with 'data' and 'labels', got "
                         f"{type(batch).__name__}")
    batch = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    missing = {"data", "labels"} - batch.keys()
    if missing:
        found = sorted(_brief(k) for k in batch)[:10]
        raise ValueError(f"{filename}: missing key(s) {sorted(missing)}; found {found}")
    # The data an array, the labels an array or a list of integers (the official files' form):
    # np.asarray is then as cheap as the file is long.
    data, labels = batch["data"], batch["labels"]
    if isinstance(labels, list) and all(type(v) is int for v in labels):
        if labels and not -2 ** 63 <= min(labels) <= max(labels) < 2 ** 63:   # beyond int64
            raise ValueError(f"{filename}: labels must lie in 0..{NUM_CLASSES - 1}, got labels "
                             "of more than 64 bits")
        labels = np.asarray(labels)
    if not (isinstance(data, np.ndarray) and isinstance(labels, np.ndarray)):
        raise ValueError(f"{filename}: 'data' must be an array and 'labels' an array or a list "
                         f"of integers, got {type(data).__name__} and {type(labels).__name__}")
    n_pixels = int(np.prod(IMAGE_SHAPE))
    if data.ndim != 2 or data.shape[1] != n_pixels or data.dtype != np.uint8:
        raise ValueError(f"{filename}: 'data' must be uint8 of shape (N, {n_pixels}), "
                         f"got {data.dtype} {data.shape}")
    if labels.shape != (data.shape[0],):
        raise ValueError(f"{filename}: {labels.shape[0] if labels.ndim else 'scalar'} labels "
                         f"for {data.shape[0]} images")
    if labels.size and labels.dtype.kind not in "iu":
        raise ValueError(f"{filename}: labels must be integers, got {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(f"{filename}: labels must lie in 0..{NUM_CLASSES - 1}, "
                         f"got range {labels.min()}..{labels.max()}")
    # Rows are stored channel-major (1024 red, 1024 green, 1024 blue);
    # HWC is the natural image view.
    X = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return X, labels.astype(np.int64)


def load_CIFAR_batch(filename):
    """Load one CIFAR-10 batch file, as the course's loader does.

    filename: path of data_batch_k or test_batch (official python-version pickle; keys may be
        str or bytes; any pickle protocol). It is read by a restricted unpickler that rebuilds
        only plain Python values (dicts, lists, strings, numbers, ...) and numpy arrays of
        numbers, so a tampered file cannot run code.
    Returns X (N, 32, 32, 3) float64 images in HWC order, pixel values 0..255, and Y (N,) int64
    labels in 0..9.
    Raises ValueError naming the file when its content is not a CIFAR-10 batch, or when it names
    any other Python object (the message names that object).
    """
    X, Y = _read_batch(filename)
    return X.astype(np.float64), Y


def _require_dataset(root):
    root = Path(root)
    if not (root / "data_batch_1").is_file():
        raise FileNotFoundError(
            f"CIFAR-10 not found in {root}. Fetch it with `{FETCH_COMMAND}` from the "
            f"repository root (or set CIFAR10_DIR to the folder holding "
            f"data_batch_1 ... test_batch; in a course folder, the package also finds "
            f"cs231n/datasets/cifar-10-batches-py).")
    return root


def _load_CIFAR10_uint8(root):
    """All of CIFAR-10 as stored: Xtr (50000, 32, 32, 3) uint8, Ytr (50000,),
    Xte (10000, 32, 32, 3) uint8, Yte (10000,)."""
    root = _require_dataset(root or cifar10_dir())
    train = [_read_batch(root / f"data_batch_{b}") for b in range(1, 6)]
    Xtr = np.concatenate([x for x, _ in train])
    Ytr = np.concatenate([y for _, y in train])
    Xte, Yte = _read_batch(root / "test_batch")
    return Xtr, Ytr, Xte, Yte


def load_CIFAR10(root=None):
    """Load all of CIFAR-10, as the course's loader does.

    root: folder with data_batch_1..5 and test_batch (default: cifar10_dir()).
    Returns Xtr (50000, 32, 32, 3) float64, Ytr (50000,), Xte (10000, 32, 32, 3) float64,
    Yte (10000,); pixel values 0..255 in HWC order (float, so `X -= mean_image` works in place).
    Raises ValueError as load_CIFAR_batch does, naming the offending batch file.
    """
    Xtr, Ytr, Xte, Yte = _load_CIFAR10_uint8(root)
    return Xtr.astype(np.float64), Ytr, Xte.astype(np.float64), Yte


def cifar10_source(root=None):
    """Which archive the data came from, as recorded by get_datasets.sh.

    Returns a dict with 'source' (the official URL, or 'local archive <file name>'), 'md5',
    'official' (True, False, or None when unknown) and 'description', a sentence for notebooks
    to print next to their numbers. Neither names a folder of this machine.
    """
    root = _require_dataset(root or cifar10_dir())
    info = {"source": "unknown (no SOURCE.txt; not fetched by get_datasets.sh)",
            "md5": "unknown", "official": None}
    record = root / "SOURCE.txt"
    if record.is_file():
        fields = dict(line.split(": ", 1) for line in record.read_text().splitlines()
                      if ": " in line)
        source = fields.get("source", info["source"])
        if source.startswith(_LOCAL_ARCHIVE):
            # Older SOURCE.txt files hold the archive's full path, i.e. the student's home
            # folder in their PDF; the file name and md5 say which archive it was.
            source = _LOCAL_ARCHIVE + re.split(r"[/\\]", source[len(_LOCAL_ARCHIVE):])[-1]
        info.update(source=source, md5=fields.get("md5", "unknown"),
                    official={"yes": True, "no": False}.get(fields.get("official")))
    kind = {True: "the official CIFAR-10 archive",
            False: KNOWN_MIRRORS.get(info["md5"],
                                     "an unofficial CIFAR-10 archive (its pixel values and the "
                                     "order of its images can differ from the official "
                                     "release's)"),
            None: "a CIFAR-10 copy of unknown origin"}[info["official"]]
    info["description"] = f"Data: {kind}; {info['source']}, md5 {info['md5']}."
    return info


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True,
                     flatten=False, dtype=np.float64, root=None):
    """CIFAR-10 split into train / validation / test, preprocessed for the classifiers.

    Validation is training rows num_training .. num_training+num_validation-1; test is the first
    num_test rows of the test batch. With subtract_mean, the mean image of the training split is
    subtracted from all three splits.

    flatten=False: images channels-first, X_* (N, 3, 32, 32).
    flatten=True: rows of 3072 pixels in HWC order, X_* (N, 3072)
        (the two-layer notebook's form).
    dtype: float type of the images; float32 halves the memory of float64
        (1.2 GB for all of it).
    Returns a dict with X_train, y_train, X_val, y_val, X_test, y_test.
    Raises ValueError for split sizes that are not integers or out of range, or a dtype that is
    not a float type, before loading.
    """
    if np.dtype(dtype).kind != "f":
        raise ValueError(f"dtype must be a float type such as np.float32 or np.float64 "
                         f"(the mean image is subtracted), got {np.dtype(dtype)}")
    check_count("num_training", num_training)
    check_count("num_validation", num_validation, least=0)
    check_count("num_test", num_test, least=0)
    if not (num_training + num_validation <= 50000 and num_test <= 10000):
        raise ValueError(f"need num_training > 0, num_training + num_validation <= 50000 and "
                         f"num_test <= 10000; got {num_training}, {num_validation}, {num_test}")
    # Read as uint8 and convert each split once:
    # peak memory is the float data plus the raw bytes.
    Xtr, Ytr, Xte, Yte = _load_CIFAR10_uint8(root)
    if num_training + num_validation > len(Xtr) or num_test > len(Xte):
        raise ValueError(f"asked for {num_training} + {num_validation} training and validation "
                         f"images and {num_test} test images, but the data set in "
                         f"{root or cifar10_dir()} has {len(Xtr)} and {len(Xte)}: ask for "
                         f"fewer, or fetch the complete data set with {FETCH_COMMAND}")
    splits = {
        "train": (Xtr[:num_training], Ytr[:num_training]),
        "val": (Xtr[num_training:num_training + num_validation],
                Ytr[num_training:num_training + num_validation]),
        "test": (Xte[:num_test], Yte[:num_test]),
    }
    # Lay each split out while still uint8 (views), then make one float copy of it.
    data = {}
    for name, (X, y) in splits.items():
        X = X.reshape(len(X), math.prod(IMAGE_SHAPE)) if flatten else X.transpose(0, 3, 1, 2)
        data[f"X_{name}"] = np.array(X, dtype=dtype, order="C")
        data[f"y_{name}"] = y
    if subtract_mean:
        mean_image = data["X_train"].mean(axis=0)
        for name in splits:
            data[f"X_{name}"] -= mean_image
    return {k: data[k] for k in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test")}


def to_patches(images, p):
    """Cut images into non-overlapping p x p patches, one flat row per patch.

    images: (N, H, W, C) with H and W multiples of p.
    Returns (N * H/p * W/p, p * p * C), patches in row-major order within each image.
    """
    if np.ndim(images) != 4:
        raise ValueError(f"images must be (N, H, W, C), got shape {np.shape(images)}")
    N, H, W, C = images.shape
    check_count("the patch size p", p)
    if H % p or W % p:
        raise ValueError(f"image size {H}x{W} is not a multiple of the patch size {p}")
    grid = images.reshape(N, H // p, p, W // p, p, C).transpose(0, 1, 3, 2, 4, 5)
    return grid.reshape(-1, p * p * C)


def from_patches(patches, image_shape):
    """Inverse of to_patches: rows (N * H/p * W/p, p * p * C) back to images (N, H, W, C).

    image_shape: (H, W, C), the shape to_patches was given (without N).
    Raises ValueError when the rows are not p * p * C values with H and W multiples of p.
    """
    H, W, C = image_shape
    p = int(round(np.sqrt(patches.shape[-1] // C)))
    if (patches.ndim != 2 or p * p * C != patches.shape[1] or not 0 < p <= min(H, W) or H % p
            or W % p or len(patches) % (H // p * W // p)):
        raise ValueError(f"patches {patches.shape} are not p x p x {C} patches of "
                         f"{H}x{W} images (p = {p})")
    grid = patches.reshape(-1, H // p, W // p, p, p, C).transpose(0, 1, 3, 2, 4, 5)
    return grid.reshape(-1, H, W, C)
