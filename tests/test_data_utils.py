"""cs231n.data_utils on tiny CIFAR-format files, and once on the real data set when it is present."""
import io
import os
import pathlib
import pickle
import shutil
import struct
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

from conftest import BATCH_NAMES, IMAGES_PER_BATCH, REPO, Payload, Python2Pickler, make_batch, write_batch
from cs231n import data_utils
from cs231n.data_utils import cifar10_source, get_CIFAR10_data, load_CIFAR10, load_CIFAR_batch


@pytest.mark.parametrize("key_style", ["py2", "bytes"])
def test_load_batch_reads_both_key_styles_in_hwc_order(tmp_path, key_style):
    data, labels = make_batch(seed=7)
    write_batch(tmp_path / "b", data, labels, key_style=key_style)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak to a notebook
        X, y = load_CIFAR_batch(tmp_path / "b")
    assert X.shape == (IMAGES_PER_BATCH, 32, 32, 3) and X.dtype == np.float64  # as the course's loader
    np.testing.assert_array_equal(y, labels)
    # Pixel (row 1, column 2) of image 3: red at 32*1+2, green 1024 further, blue 2048 further.
    np.testing.assert_array_equal(X[3, 1, 2], data[3, [34, 1024 + 34, 2048 + 34]])


def test_load_batch_reads_the_official_files_spelling_of_numpy(tmp_path):
    # The official batches were pickled by numpy 1.x, which names numpy.core.multiarray; numpy 2
    # writes numpy._core.multiarray. In a protocol-2 pickle the name is plain text after 'c'.
    data, labels = make_batch(seed=8)
    write_batch(tmp_path / "b", data, labels)
    raw = (tmp_path / "b").read_bytes()
    assert b"cnumpy._core.multiarray\n_reconstruct\n" in raw
    (tmp_path / "b").write_bytes(raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
    X, y = load_CIFAR_batch(tmp_path / "b")
    np.testing.assert_array_equal(X.transpose(0, 3, 1, 2).reshape(len(X), -1), data)
    np.testing.assert_array_equal(y, labels)


def test_load_CIFAR10_concatenates_the_five_training_batches(tiny_cifar_dir):
    Xtr, Ytr, Xte, Yte = load_CIFAR10(tiny_cifar_dir)
    assert Xtr.shape == (5 * IMAGES_PER_BATCH, 32, 32, 3) and Ytr.shape == (5 * IMAGES_PER_BATCH,)
    assert Xte.shape == (IMAGES_PER_BATCH, 32, 32, 3) and Yte.shape == (IMAGES_PER_BATCH,)
    assert Xtr.dtype == Xte.dtype == np.float64
    Xtr -= Xtr.mean(axis=0)  # the course notebooks centre in place
    np.testing.assert_array_equal(Ytr[IMAGES_PER_BATCH:2 * IMAGES_PER_BATCH], make_batch(1)[1])
    np.testing.assert_array_equal(Xte[4].transpose(2, 0, 1).reshape(-1), make_batch(5)[0][4])


@pytest.mark.parametrize("content, message", [
    (b"this is not a pickle", "not a readable CIFAR-10 batch pickle"),
    (pickle.dumps([1, 2, 3], protocol=4), "expected a dict"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8)}, protocol=4), "missing key(s) ['labels']"),
    (pickle.dumps({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}, protocol=4), "(N, 3072)"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, protocol=4), "1 labels for 2 images"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 10]}, protocol=4), "0..9"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 2 ** 64]}, protocol=4),
     "labels must lie in 0..9, got labels of more than 64 bits"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": np.array(["0", "1"])}, protocol=4),
     "not a readable CIFAR-10 batch pickle (an array of type 'U1', which is not a plain number type"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": ["0", "1"]}, protocol=4),
     "'labels' an array or a list of integers, got ndarray and list"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [[0], [1, 2]]}, protocol=4),
     "'labels' an array or a list of integers, got ndarray and list"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8).tolist(), "labels": [0, 1]}, protocol=4),
     "'data' must be an array and 'labels' an array or a list of integers, got list and ndarray"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": np.array([0.0, 1.0])}, protocol=4),
     "labels must be integers, got float64"),
])
def test_malformed_batch_raises_a_clear_error(tmp_path, content, message):
    (tmp_path / "bad").write_bytes(content)
    with pytest.raises(ValueError) as err:
        load_CIFAR_batch(tmp_path / "bad")
    assert message in str(err.value) and "bad" in str(err.value)


class BadArray:
    """Unpickles into numpy's own array reconstruction called with a wrong shape argument."""

    def __reduce__(self):
        return np.empty(0).__reduce__()[0], (np.ndarray, "not a shape", b"b")


def test_allowed_numpy_call_with_bad_arguments_raises_a_clear_error(tmp_path):
    (tmp_path / "bad").write_bytes(pickle.dumps({"data": BadArray(), "labels": [0]}, protocol=4))
    with pytest.raises(ValueError, match="bad: not a readable CIFAR-10 batch pickle"):
        load_CIFAR_batch(tmp_path / "bad")


class ArrayClaiming:
    """Unpickles into numpy's array reconstruction whose state claims `shape` for `data`."""

    def __init__(self, shape, data=b"x"):
        self.shape, self.data = shape, data

    def __reduce__(self):
        return (np.empty(0).__reduce__()[0], (np.ndarray, (0,), b"b"),
                (1, self.shape, np.dtype(np.uint8), False, self.data))


@pytest.mark.parametrize("shape, message", [((2 ** 50,), "(1125899906842624,) and type uint8, which its 1 bytes"),
                                            ((-1,), "an array of shape (-1,)"),
                                            ("3", "an array of shape '3'")])
def test_an_array_its_bytes_do_not_fill_is_refused_without_allocating_it(tmp_path, shape, message):
    (tmp_path / "bad").write_bytes(pickle.dumps({"data": ArrayClaiming(shape), "labels": [0]}, protocol=4))
    with pytest.raises(ValueError) as err:
        load_CIFAR_batch(tmp_path / "bad")
    assert "bad: not a readable CIFAR-10 batch pickle" in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_arrays_of_every_pickle_protocol_and_layout_are_read_back_exactly(tmp_path, protocol):
    # Protocol 0 (Python 2's default) is text; protocols 0 to 2 under Python 3 spell bytes as
    # _codecs.encode(str, 'latin1'); protocol 5
    # (Python 3.14's default) stores arrays through numpy's _frombuffer, in C, F or, for other
    # dense layouts, K order with an axis permutation.
    rng = np.random.default_rng(0)
    arrays = {"C uint8": rng.integers(0, 256, (4, 6), dtype=np.uint8),
              "F int64": np.asfortranarray(rng.integers(-9, 9, (3, 5))),
              "permuted 3-D": rng.standard_normal((2, 3, 4)).transpose(1, 0, 2),
              "big-endian float32": rng.standard_normal(5).astype(">f4"),
              "bool": rng.random(7) > 0.5, "empty": np.zeros((0, 3), np.float32)}
    (tmp_path / "b").write_bytes(pickle.dumps(arrays, protocol=protocol))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = data_utils._unpickle(tmp_path / "b")
    assert loaded.keys() == arrays.keys()
    for name, array in arrays.items():
        assert type(loaded[name]) is np.ndarray and loaded[name].dtype == array.dtype, name
        np.testing.assert_array_equal(loaded[name], array, err_msg=name)
    np.testing.assert_array_equal(load_batch_pickled(protocol, tmp_path)[0], make_batch(seed=9, n=100)[0])


def load_batch_pickled(protocol, folder):
    """A genuine batch of 100 images (300 KB: its data crosses protocol 4's 64 KB frames) pickled
    under the given protocol, loaded back: (data as stored, labels)."""
    data, labels = make_batch(seed=9, n=100)
    (folder / "batch").write_bytes(pickle.dumps({"data": data, "labels": labels}, protocol=protocol))
    X, y = load_CIFAR_batch(folder / "batch")
    return X.transpose(0, 3, 1, 2).reshape(len(X), -1).astype(np.uint8), y


class DtypeWithState:
    """Unpickles into numpy.dtype(code) given `state` by the file, as numpy's own pickles do."""

    def __init__(self, code, state):
        self.code, self.state = code, state

    def __reduce__(self):
        return np.dtype, (self.code, False, True), self.state


class StatefulArray:
    def __init__(self, dtype_with_state):
        self.dtype_with_state = dtype_with_state

    def __reduce__(self):
        return (np.empty(0).__reduce__()[0], (np.ndarray, (0,), b"b"),
                (1, (4,), self.dtype_with_state, False, b"A" * 32))


OBJECT_FIELD = (("f0",), {"f0": (np.dtype(object), 0)})
# numpy's dtype state: (version, byte order, subarray, names, fields, item size, alignment, flags).
FLAGGED_DTYPES = {
    # 8 raw bytes with a Python-object field, flagged as holding references (flag 1): numpy takes
    # the file's bytes 'AAAAAAAA' for a pointer to a Python object (freeing the array crashes).
    "void with object field": DtypeWithState("V8", (3, "|", None, *OBJECT_FIELD, 8, 1, 1)),
    "number with fields": DtypeWithState("u8", (3, "<", None, ("f0",), {"f0": (np.dtype("u8"), 0)}, -1, -1, 1)),
    "number flagged as objects": DtypeWithState("u8", (3, "<", None, None, None, -1, -1, 1)),
}


def test_numpy_itself_trusts_a_dtype_state_flagged_as_holding_objects(tmp_path):
    # The control for the test below: plain pickle hands the file's state to numpy, which then
    # treats the array's bytes as object pointers. In a child process, which leaves without
    # freeing the array.
    (tmp_path / "b").write_bytes(pickle.dumps(StatefulArray(FLAGGED_DTYPES["void with object field"]), protocol=4))
    code = ("import os, pickle, sys; a = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "print(a.dtype.hasobject, flush=True); os._exit(0)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "b")], capture_output=True, text=True)
    assert done.stdout.strip() == "True", done


@pytest.mark.parametrize("name", FLAGGED_DTYPES)
def test_a_dtype_state_from_the_file_never_reaches_numpy(tmp_path, name):
    (tmp_path / "b").write_bytes(pickle.dumps({"data": StatefulArray(FLAGGED_DTYPES[name]), "labels": [0]},
                                              protocol=4))
    with pytest.raises(ValueError) as err:
        load_CIFAR_batch(tmp_path / "b")
    message = str(err.value)
    assert "b: not a readable CIFAR-10 batch pickle" in message
    assert ("'V8', which is not a plain number type" in message if name.startswith("void")
            else "uint64 with a state no plain number type has" in message)


@pytest.mark.parametrize("name", [b"numpy\ndtype", b"numpy\nndarray", b"numpy.core.multiarray\n_reconstruct",
                                  b"numpy._core.numeric\n_frombuffer", b"_codecs\nencode",
                                  b"__builtin__\nbytes"])
@pytest.mark.parametrize("state", [b"N}\x8c\x07__new__K\x01s\x86", b"}\x8c\x07__new__K\x01s"],
                         ids=["slot state", "dict state"])
def test_a_pickle_cannot_alter_what_it_may_name(tmp_path, name, state):
    # GLOBAL name, then BUILD on it: pickle sets attributes of the object itself (the class).
    (tmp_path / "bad").write_bytes(b"\x80\x04c" + name + b"\n" + state + b"b.")
    with pytest.raises(ValueError, match="bad: not a readable CIFAR-10 batch pickle"):
        load_CIFAR_batch(tmp_path / "bad")
    data, labels = load_batch_pickled(2, tmp_path)   # every stand-in still works
    np.testing.assert_array_equal(data, make_batch(seed=9, n=100)[0])
    assert labels.tolist() == make_batch(seed=9, n=100)[1]



def payloads(marker):
    """Ways a pickle can call code, each creating `marker` when unpickled with plain pickle:
    (payload, {protocol: the first object outside numpy that the pickle names})."""
    system = f"{os.system.__module__}.system"   # posix.system on Linux and macOS
    return [
        (Payload(os.system, f"touch '{marker}'"), {2: system, 4: system}),
        # Protocol 2 reaches a method through getattr; Python 2's name for builtins is __builtin__.
        (Payload(pathlib.Path.touch, pathlib.Path(marker)), {2: "__builtin__.getattr", 4: "pathlib.Path.touch"}),
        (Payload(exec, f"open({str(marker)!r}, 'w').close()"), {2: "__builtin__.exec", 4: "builtins.exec"}),
    ]


def malicious_batch(payload, protocol):
    """A CIFAR-10 batch with the payload hidden in the labels list, beside a genuine data array;
    protocol 2 as Python 2 wrote it (the official files' form), or 4 as Python 3 writes it."""
    data, labels = make_batch(seed=3)
    batch = {b"batch_label": b"x", b"data": data, b"labels": labels[:-1] + [payload]}
    if protocol == 2:
        buf = io.BytesIO()
        Python2Pickler(buf, protocol=2).dump(batch)
        return buf.getvalue()
    return pickle.dumps(batch, protocol=protocol)


def assert_refused(err, filename, forbidden):
    message = str(err.value)
    assert err.type is ValueError and "refused to load" in message
    assert str(filename) in message and forbidden in message
    assert "bash datasets/get_datasets.sh" in message


@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize("which", range(3))
def test_malicious_batch_is_refused_before_its_code_runs(tmp_path, which, protocol):
    # Control: the same kind of file does run its code under plain pickle, so the test can fail.
    control = tmp_path / "CONTROL"
    pickle.loads(malicious_batch(payloads(control)[which][0], protocol), encoding="latin1")
    assert control.exists()

    marker = tmp_path / "MARKER"
    payload, forbidden = payloads(marker)[which]
    (tmp_path / "data_batch_1").write_bytes(malicious_batch(payload, protocol))
    with pytest.raises(ValueError) as err:
        load_CIFAR_batch(tmp_path / "data_batch_1")
    assert_refused(err, tmp_path / "data_batch_1", forbidden[protocol])
    assert not marker.exists()


def test_payload_inside_a_numpy_object_array_is_refused(tmp_path):
    # Refused at the array's type, before the pickle reaches its elements.
    marker = tmp_path / "MARKER"
    hidden = np.array([Payload(pathlib.Path.touch, marker)], dtype=object)
    (tmp_path / "b").write_bytes(pickle.dumps({"data": hidden, "labels": [0]}, protocol=4))
    with pytest.raises(ValueError, match=r"b: not a readable CIFAR-10 batch pickle \(an array of type 'O8', which "
                       "is not a plain number type"):
        load_CIFAR_batch(tmp_path / "b")
    assert not marker.exists()


def unicode_op(text):
    return b"X" + struct.pack("<I", len(text)) + text.encode()


DTYPE_U1 = b"cnumpy\ndtype\n(" + unicode_op("u1") + b"\x89\x88tR"
BIG_INT = (2 ** 200000).to_bytes(25001, "little")
N_REFS = 100000
# Small files (at most 1 MB) written to cost far more than their size, and what refuses each.
HOSTILE = {
    # Declared lengths far beyond the file: no allocation of that size is attempted.
    "bytes8 of 4 GiB": (b"\x80\x04\x8e" + struct.pack("<Q", 2 ** 32), "but only 0 remain"),
    "bytes8 of 2**63": (b"\x80\x04\x8e" + struct.pack("<Q", 2 ** 63), "byte count > sys.maxsize"),
    "frame of 2**40": (b"\x80\x04\x95" + struct.pack("<Q", 2 ** 40) + b"N.", "frame at byte 2 longer than"),
    # A memo index of 2**28 would have the unpickler zero a memo table of 2 GB.
    "memo entry 2**28": (b"\x80\x02Nr" + struct.pack("<I", 2 ** 28) + b".", "memo entry 268435456 at byte 3, out"),
    # Shared containers: a tuple DAG 80 levels deep hashes 2**80 nodes as a dict key...
    "tuple DAG as a key": (b"\x80\x02}K\x01q\x00" + b"".join(
        b"h" + bytes([k]) + b"h" + bytes([k]) + b"\x86q" + bytes([k + 1]) for k in range(80)) + b"K\x00s.",
        "memo entry 1, which is not a short string or a small number"),
    "tuple DAG by DUP": (b"\x80\x02}K\x01" + b"2\x86" * 80 + b"K\x00s.", "opcode DUP at byte 5"),
    # ... and nested lists of shared rows would make np.asarray walk billions of items.
    "shared rows": (b"\x80\x02}(" + unicode_op("data") + b"]q\x00(" + b"K\x07" * 3072 + b"e](h\x00h\x00eu.",
                    "memo entry 0, which is not a short string or a small number"),
    # One bytearray referred to 100,000 times: an image list 6,600 times the file's size.
    "shared image": (b"\x80\x05}(" + unicode_op("data") + b"](\x96" + struct.pack("<Q", 3072) + bytes(3072)
                     + b"q\x00" + b"h\x00" * (N_REFS - 1) + b"e" + unicode_op("labels") + b"](K\x00q\x01"
                     + b"h\x01" * (N_REFS - 1) + b"eu.", "memo entry 0, which is not a short string"),
    # A shape of 20,000 axes, each a 200,000-bit number: math.prod would never end.
    "huge shape": (b"\x80\x02}(" + unicode_op("data") + b"cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n"
                   b"K\x00\x85C\x01btR(K\x01(\x8b" + struct.pack("<i", len(BIG_INT)) + BIG_INT + b"q\x00"
                   + b"h\x00" * 19999 + b"t" + DTYPE_U1 + b"\x89C\x00tbu.", "memo entry 0, which is not a short"),
    # A 1 MB string copied by each of 1000 calls of _codecs.encode: 1 GB; a 65-character one by
    # each of 100,000 calls: 69 times the file.
    "shared long string": (b"\x80\x02c_codecs\nencode\nq\x00" + unicode_op("a" * 2 ** 20) + b"q\x01"
                           + unicode_op("latin1") + b"q\x02]q\x03(" + b"h\x00h\x01h\x02\x86R" * 1000 + b"e.",
                           "memo entry 1, which is not a short string"),
    "shared 65 characters": (b"\x80\x02c_codecs\nencode\nq\x00" + unicode_op("a" * 65) + b"q\x01"
                             + unicode_op("latin1") + b"q\x02]q\x03(" + b"h\x00h\x01h\x02\x86R" * N_REFS + b"e.",
                             "memo entry 1, which is not a short string"),
    # Padding after the end would raise the file's allowance of containers.
    "bytes after STOP": (b"\x80\x02N." + bytes(1000), "1000 bytes after the pickle's end"),
    # A tuple 200,000 deep used as a key: hashing it recurses in C until the interpreter crashes.
    "deep tuple key": (b"\x80\x02})" + b"\x85" * 200000 + b"Ns.", "more than 16 levels of nesting"),
    # Keys i * (2**61 - 1) all hash to 0: inserting 20,000 of them is quadratic.
    "colliding keys": (b"\x80\x02}(" + b"".join(b"\x8a\x0a" + (i * (2 ** 61 - 1)).to_bytes(10, "little")
                                                 + b"N" for i in range(1, 20001)) + b"u.",
                       "more than 64 dict entries at byte"),
    # 100,000 empty dicts, 6.4 MB from 100 KB: a container needs 16 bytes of the file.
    "many containers": (b"\x80\x02]q\x00(" + b"}" * 100000 + b"e.", "more than 7250 containers at byte"),
    # A type code numpy would parse with ast.literal_eval (SyntaxError), and one a list 100 deep.
    "type code '(,)u1'": (b"\x80\x02cnumpy\ndtype\n(" + unicode_op("(,)u1") + b"\x89\x88tR.", "type '(,)u1', which"),
    "type code nested deep": (b"\x80\x02cnumpy\ndtype\n(" + b"]" * 100 + b"a" * 99 + b"tR.",
                              "more than 16 levels of nesting"),
    # A bytearray an array holds, then extended by APPEND: a bytearray is never referred to again.
    "appended buffer": (b"\x80\x05\x96" + struct.pack("<Q", 1) + b"\x00q\x00cnumpy._core.numeric\n_frombuffer\n(h\x00"
                        + DTYPE_U1 + b"K\x01\x85" + unicode_op("C") + b"tRh\x00K\x01a.",
                        "memo entry 0, which is not a short string"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_small_hostile_file_is_refused_fast_and_within_its_size(tmp_path, name):
    content, message = HOSTILE[name]
    (tmp_path / "b").write_bytes(content)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as err:
            load_CIFAR_batch(tmp_path / "b")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "b: not a readable CIFAR-10 batch pickle (" in str(err.value) and message in str(err.value), str(err.value)
    assert peak < 10 * len(content) + 2 ** 20, peak


def test_a_forbidden_name_is_shown_escaped_and_short(tmp_path):
    # The name comes from the file: newlines could forge lines of the message, a lone surrogate
    # would make print() fail, and its length is the file's.
    for name in ("dtype\nBatch loaded OK (50000 images).\n" + "\n" * 10000, "dtype\ud800"):
        encoded = name.encode("utf-8", "surrogatepass")
        (tmp_path / "b").write_bytes(b"\x80\x04\x8c\x05numpy\x8d" + struct.pack("<Q", len(encoded)) + encoded
                                     + b"\x93.")
        with pytest.raises(ValueError) as err:
            load_CIFAR_batch(tmp_path / "b")
        message = str(err.value)
        assert "refused to load: it asks for 'numpy.dtype\\n" in message or "numpy.dtype\\ud800" in message
        assert "\n" not in message and len(message) < 600 and message.isprintable()


def test_a_file_of_more_opcodes_than_any_batch_is_refused(tmp_path, monkeypatch):
    # Linear, but a scan of 30 MB of one-byte opcodes would take over a minute.
    monkeypatch.setattr(data_utils, "_MAX_OPCODES", 1000)
    (tmp_path / "b").write_bytes(b"\x80\x02]q\x00(" + b"N" * 1000 + b"e.")
    with pytest.raises(ValueError, match=r"b: not a readable CIFAR-10 batch pickle \(more than 1000 opcodes at byte"):
        load_CIFAR_batch(tmp_path / "b")
    write_batch(tmp_path / "genuine", *make_batch(seed=1, n=100))   # some 300 opcodes
    assert load_CIFAR_batch(tmp_path / "genuine")[0].shape == (100, 32, 32, 3)


@pytest.mark.parametrize("load", [load_CIFAR10, lambda root: get_CIFAR10_data(40, 10, 5, root=root)],
                         ids=["load_CIFAR10", "get_CIFAR10_data"])
def test_malicious_batch_in_the_data_folder_is_refused(tiny_cifar_dir, tmp_path, load):
    marker = tmp_path / "MARKER"
    payload, forbidden = payloads(marker)[0]
    (tiny_cifar_dir / "data_batch_3").write_bytes(malicious_batch(payload, 2))
    with pytest.raises(ValueError) as err:
        load(tiny_cifar_dir)
    assert_refused(err, tiny_cifar_dir / "data_batch_3", forbidden[2])
    assert not marker.exists()


def test_missing_dataset_names_the_folder_and_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError) as err:
        get_CIFAR10_data()
    assert str(tmp_path / "nowhere") in str(err.value)
    assert "datasets/get_datasets.sh" in str(err.value)


def test_splits_mean_subtraction_layouts_and_dtype(tiny_cifar_dir, monkeypatch):
    monkeypatch.setenv("CIFAR10_DIR", str(tiny_cifar_dir))
    Xtr, Ytr, Xte, Yte = load_CIFAR10()
    d = get_CIFAR10_data(num_training=40, num_validation=10, num_test=5)
    assert d["X_train"].shape == (40, 3, 32, 32) and d["X_val"].shape == (10, 3, 32, 32)
    assert d["X_test"].shape == (5, 3, 32, 32) and d["X_train"].flags.c_contiguous
    np.testing.assert_array_equal(d["y_val"], Ytr[40:50])
    np.testing.assert_array_equal(d["y_test"], Yte[:5])
    mean = Xtr[:40].astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(d["X_val"][3], (Xtr[43] - mean).transpose(2, 0, 1))
    np.testing.assert_allclose(d["X_train"].mean(axis=0), 0, atol=1e-10)

    flat = get_CIFAR10_data(40, 10, 5, flatten=True, dtype=np.float32, subtract_mean=False)
    assert flat["X_train"].shape == (40, 3072) and flat["X_train"].dtype == np.float32
    np.testing.assert_array_equal(flat["X_test"][2], Xte[2].reshape(-1))  # HWC order


def test_get_CIFAR10_data_peaks_at_its_output_plus_the_raw_bytes(tiny_cifar_dir):
    # It reads uint8 and converts each split once; a float64 detour through load_CIFAR10 would add
    # 8 bytes per pixel of the whole data set (here 1.5 MB) to the peak.
    raw_bytes = len(BATCH_NAMES) * IMAGES_PER_BATCH * 3072
    tracemalloc.start()
    try:
        d = get_CIFAR10_data(40, 10, 10, dtype=np.float32, subtract_mean=False, root=tiny_cifar_dir)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    out_bytes = sum(v.nbytes for v in d.values())
    assert out_bytes == 60 * 3072 * 4 + 60 * 8
    assert peak < out_bytes + 2 * raw_bytes, (peak, out_bytes, raw_bytes)


def test_bad_split_sizes_are_refused(tiny_cifar_dir):
    with pytest.raises(ValueError, match="num_training"):
        get_CIFAR10_data(num_training=49000, num_validation=2000, root=tiny_cifar_dir)
    # Refused before the (slow) load, not after it at the mean subtraction.
    with pytest.raises(ValueError, match="dtype must be a float type .* got int32"):
        get_CIFAR10_data(dtype=np.int32, root=tiny_cifar_dir / "not-there")
    for kwargs, message in [(dict(num_training=90.0), "num_training must be an integer of at least 1, got 90.0"),
                            (dict(num_validation=-1), "num_validation must be an integer of at least 0, got -1"),
                            (dict(num_test=True), "num_test must be an integer of at least 0, got True")]:
        with pytest.raises(ValueError, match=message):
            get_CIFAR10_data(**kwargs, root=tiny_cifar_dir / "not-there")
    # More than the folder holds (50 training and 10 test images here): not silently fewer.
    with pytest.raises(ValueError, match=r"asked for 49000 \+ 1000 training and validation images and 1000 test "
                                         r"images, but the data set in .* has 50 and 10: ask for fewer"):
        get_CIFAR10_data(root=tiny_cifar_dir)
    with pytest.raises(ValueError, match="has 50 and 10"):
        get_CIFAR10_data(40, 10, 11, root=tiny_cifar_dir)


def test_empty_splits_are_empty_arrays_in_either_layout(tiny_cifar_dir):
    for flatten, shape in [(True, (0, 3072)), (False, (0, 3, 32, 32))]:
        d = get_CIFAR10_data(40, 0, 0, flatten=flatten, dtype=np.float32, root=tiny_cifar_dir)
        assert d["X_val"].shape == d["X_test"].shape == shape and d["y_val"].shape == (0,)


def test_source_is_reported(tiny_cifar_dir):
    assert cifar10_source(tiny_cifar_dir)["official"] is None
    (tiny_cifar_dir / "SOURCE.txt").write_text("source: local archive x.tar.gz\nmd5: abc\nofficial: no\n")
    info = cifar10_source(tiny_cifar_dir)
    assert info["official"] is False and info["md5"] == "abc"
    assert info["description"] == ("Data: an unofficial CIFAR-10 archive (its pixel values and the order of its "
                                   "images can differ from the official release's); local archive x.tar.gz, md5 abc.")
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    (tiny_cifar_dir / "SOURCE.txt").write_text(f"source: download {url}\nmd5: c58f\nofficial: yes\n")
    info = cifar10_source(tiny_cifar_dir)
    assert info["official"] is True and info["description"] == (
        f"Data: the official CIFAR-10 archive; download {url}, md5 c58f.")


@pytest.mark.parametrize("recorded", ["/home/student/Downloads/cifar-10-python.tar.gz",
                                      r"C:\Users\student\Downloads\cifar-10-python.tar.gz",
                                      "../shared/cifar-10-python.tar.gz"])
def test_source_recorded_with_a_folder_by_an_older_script_names_only_the_file(tiny_cifar_dir, recorded):
    (tiny_cifar_dir / "SOURCE.txt").write_text(f"source: local archive {recorded}\nmd5: abc\nofficial: no\n")
    info = cifar10_source(tiny_cifar_dir)
    assert info["source"] == "local archive cifar-10-python.tar.gz"
    assert "student" not in info["description"] and "shared" not in info["description"]
    assert "local archive cifar-10-python.tar.gz, md5 abc." in info["description"]


def test_default_folder_is_found_from_any_working_directory(tmp_path):
    code = "from cs231n.data_utils import cifar10_dir; print(cifar10_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PATH": "", "PYTHONPATH": str(REPO)}).stdout.strip()   # this checkout's package
    assert out == str(REPO / "datasets" / "cifar-10-batches-py")


real = pytest.mark.skipif(not (data_utils.DEFAULT_CIFAR10_DIR / "test_batch").is_file(),
                          reason="CIFAR-10 not fetched (make test fetches it first)")


@real
def test_real_cifar10():
    Xtr, Ytr, Xte, Yte = load_CIFAR10(data_utils.DEFAULT_CIFAR10_DIR)
    assert Xtr.shape == (50000, 32, 32, 3) and Xte.shape == (10000, 32, 32, 3)
    assert Xtr.dtype == Xte.dtype == np.float64
    assert np.bincount(Ytr).tolist() == [5000] * 10 and np.bincount(Yte).tolist() == [1000] * 10
    info = cifar10_source(data_utils.DEFAULT_CIFAR10_DIR)
    assert info["official"] is not None and str(REPO.parent) not in info["description"]
    # The restricted reader gives what unrestricted pickle gives (trusted here: the fetched data).
    with open(data_utils.DEFAULT_CIFAR10_DIR / "test_batch", "rb") as f:
        reference = pickle.load(f, encoding="latin1")
    np.testing.assert_array_equal(Xte.transpose(0, 3, 1, 2).reshape(10000, -1), reference["data"])
    np.testing.assert_array_equal(Yte, reference["labels"])


def test_patches_round_trip_and_order():
    images = np.arange(2 * 8 * 8 * 3).reshape(2, 8, 8, 3)
    patches = data_utils.to_patches(images, 4)
    assert patches.shape == (8, 48)
    np.testing.assert_array_equal(patches[1], images[0, :4, 4:8].reshape(-1))  # second patch: top right
    np.testing.assert_array_equal(data_utils.from_patches(patches, (8, 8, 3)), images)
    with pytest.raises(ValueError, match="multiple of the patch size 3"):
        data_utils.to_patches(images, 3)
    with pytest.raises(ValueError, match="the patch size p must be an integer of at least 1, got 0"):
        data_utils.to_patches(images, 0)
    with pytest.raises(ValueError, match=r"images must be \(N, H, W, C\), got shape \(8, 8, 3\)"):
        data_utils.to_patches(images[0], 4)
    # The right number of values per image, but the image sides are no multiples of the patch side.
    with pytest.raises(ValueError, match=r"patches \(8, 48\) are not p x p x 3 patches of 2x32 images \(p = 4\)"):
        data_utils.from_patches(patches, (2, 32, 3))
    for bad in (patches[0], patches[:, :3]):      # one flat patch; rows too short for a 1 x 1 x 3 ... patch
        with pytest.raises(ValueError, match="are not p x p x 3 patches"):
            data_utils.from_patches(bad, (8, 8, 3))


def test_a_known_mirror_is_described_as_what_it_is(tiny_cifar_dir):
    md5 = "4fcaf0413fc693a7ad1b32e8c51bd61b"   # the course machines' JPEG-derived mirror
    (tiny_cifar_dir / "SOURCE.txt").write_text(f"source: local archive cifar-10-python.tar.gz\nmd5: {md5}\n"
                                               "official: no\n")
    info = cifar10_source(tiny_cifar_dir)
    assert info["description"] == (f"Data: {data_utils.KNOWN_MIRRORS[md5]}; "
                                   f"local archive cifar-10-python.tar.gz, md5 {md5}.")
    assert "rebuilt from a public JPEG copy" in info["description"]


def test_a_copy_in_a_course_folder_finds_the_courses_data_folder(tmp_path):
    # The course's notebooks keep CIFAR-10 in cs231n/datasets/cifar-10-batches-py, beside the package they import.
    course = tmp_path / "course"
    shutil.copytree(REPO / "cs231n", course / "cs231n", ignore=shutil.ignore_patterns("__pycache__"))
    data = course / "cs231n" / "datasets" / "cifar-10-batches-py"
    data.mkdir(parents=True)
    code = "from cs231n.data_utils import cifar10_dir; print(cifar10_dir())"
    def found():
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=course,
                              env={"PATH": "", "PYTHONPATH": str(course)}).stdout.strip()
    assert found() == str(course / "datasets" / "cifar-10-batches-py")   # no data anywhere: the repository layout
    (data / "data_batch_1").write_bytes(b"")
    assert found() == str(data)
