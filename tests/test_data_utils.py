"""cs231n.data_utils on tiny CIFAR-format files, and once on the real data set when it is present."""
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

from conftest import IMAGES_PER_BATCH, REPO, make_batch, make_dataset_folder, write_batch
from cs231n import data_utils
from cs231n.data_utils import cifar10_source, get_CIFAR10_data, load_CIFAR10, load_CIFAR_batch


@pytest.mark.parametrize("key_style", ["py2", "bytes"])
def test_load_batch_reads_both_key_styles_in_hwc_order(tmp_path, key_style):
    data, labels = make_batch(seed=7)
    write_batch(tmp_path / "b", data, labels, key_style=key_style)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak to a notebook
        X, y = load_CIFAR_batch(tmp_path / "b")
    assert X.shape == (IMAGES_PER_BATCH, 32, 32, 3) and X.dtype == np.uint8
    np.testing.assert_array_equal(y, labels)
    # Pixel (row 1, column 2) of image 3: red at 32*1+2, green 1024 further, blue 2048 further.
    np.testing.assert_array_equal(X[3, 1, 2], data[3, [34, 1024 + 34, 2048 + 34]])


def test_load_CIFAR10_concatenates_the_five_training_batches(tiny_cifar_dir):
    Xtr, Ytr, Xte, Yte = load_CIFAR10(tiny_cifar_dir)
    assert Xtr.shape == (5 * IMAGES_PER_BATCH, 32, 32, 3) and Ytr.shape == (5 * IMAGES_PER_BATCH,)
    assert Xte.shape == (IMAGES_PER_BATCH, 32, 32, 3) and Yte.shape == (IMAGES_PER_BATCH,)
    np.testing.assert_array_equal(Ytr[IMAGES_PER_BATCH:2 * IMAGES_PER_BATCH], make_batch(1)[1])


@pytest.mark.parametrize("content, message", [
    (b"this is not a pickle", "not a readable CIFAR-10 batch pickle"),
    (pickle.dumps([1, 2, 3]), "expected a dict"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8)}), "missing key(s) ['labels']"),
    (pickle.dumps({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}), "(N, 3072)"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}), "1 labels for 2 images"),
    (pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 10]}), "0..9"),
])
def test_malformed_batch_raises_a_clear_error(tmp_path, content, message):
    (tmp_path / "bad").write_bytes(content)
    with pytest.raises(ValueError) as err:
        load_CIFAR_batch(tmp_path / "bad")
    assert message in str(err.value) and "bad" in str(err.value)


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


def test_bad_split_sizes_are_refused(tiny_cifar_dir):
    with pytest.raises(ValueError, match="num_training"):
        get_CIFAR10_data(num_training=49000, num_validation=2000, root=tiny_cifar_dir)


def test_source_is_reported(tiny_cifar_dir):
    assert cifar10_source(tiny_cifar_dir)["official"] is None
    (tiny_cifar_dir / "SOURCE.txt").write_text("source: local archive /x.tar.gz\nmd5: abc\nofficial: no\n")
    info = cifar10_source(tiny_cifar_dir)
    assert info["official"] is False and info["md5"] == "abc"
    assert "unofficial" in info["description"] and "/x.tar.gz" in info["description"]


def test_default_folder_is_found_from_any_working_directory(tmp_path):
    code = "from cs231n.data_utils import cifar10_dir; print(cifar10_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PATH": ""}).stdout.strip()
    assert out == str(REPO / "datasets" / "cifar-10-batches-py")


real = pytest.mark.skipif(not (data_utils.DEFAULT_CIFAR10_DIR / "test_batch").is_file(),
                          reason="CIFAR-10 not fetched (make test fetches it first)")


@real
def test_real_cifar10():
    Xtr, Ytr, Xte, Yte = load_CIFAR10(data_utils.DEFAULT_CIFAR10_DIR)
    assert Xtr.shape == (50000, 32, 32, 3) and Xte.shape == (10000, 32, 32, 3)
    assert np.bincount(Ytr).tolist() == [5000] * 10 and np.bincount(Yte).tolist() == [1000] * 10
    assert cifar10_source(data_utils.DEFAULT_CIFAR10_DIR)["official"] is not None


def test_patches_round_trip_and_order():
    images = np.arange(2 * 8 * 8 * 3).reshape(2, 8, 8, 3)
    patches = data_utils.to_patches(images, 4)
    assert patches.shape == (8, 48)
    np.testing.assert_array_equal(patches[1], images[0, :4, 4:8].reshape(-1))  # second patch: top right
    np.testing.assert_array_equal(data_utils.from_patches(patches, (8, 8, 3)), images)
    with pytest.raises(ValueError, match="multiple of the patch size 3"):
        data_utils.to_patches(images, 3)
