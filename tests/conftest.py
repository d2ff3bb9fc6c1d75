"""Shared fixtures: a tiny data set in CIFAR-10's own file format, built here, never downloaded."""
import io
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
BATCH_NAMES = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]
IMAGES_PER_BATCH = 10


class Python2Pickler(pickle._Pickler):
    """Writes bytes as Python 2 `str` opcodes, so the file is what Python 2's cPickle wrote."""
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str


def make_batch(seed, n=IMAGES_PER_BATCH):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 3072), dtype=np.uint8), [int(v) for v in rng.integers(0, 10, n)]


def write_batch(path, data, labels, key_style="py2"):
    """key_style 'py2': keys are Python 2 str (official files); 'bytes': keys are bytes."""
    if key_style == "py2":
        buf = io.BytesIO()
        Python2Pickler(buf, protocol=2).dump({b"batch_label": b"tiny", b"labels": labels, b"data": data})
        path.write_bytes(buf.getvalue())
    else:
        path.write_bytes(pickle.dumps({b"batch_label": b"tiny", b"labels": labels, b"data": data}, protocol=2))


def make_dataset_folder(folder, key_style="py2"):
    folder.mkdir(parents=True)
    for i, name in enumerate(BATCH_NAMES):
        write_batch(folder / name, *make_batch(i), key_style=key_style)
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": ["a"] * 10}, protocol=2))
    return folder


@pytest.fixture
def tiny_cifar_dir(tmp_path):
    return make_dataset_folder(tmp_path / "cifar-10-batches-py")


@pytest.fixture
def tiny_archive(tmp_path):
    """A .tar.gz laid out as cifar-10-python.tar.gz, holding the tiny batches."""
    src = make_dataset_folder(tmp_path / "src" / "cifar-10-batches-py")
    archive = tmp_path / "tiny-cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(src, arcname="cifar-10-batches-py")
    return archive

