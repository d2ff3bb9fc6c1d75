"""datasets/get_datasets.sh on a tiny CIFAR-format archive: extraction, refusals, idempotence."""
import os
import shutil
import subprocess
import tarfile

import pytest

from conftest import REPO

SCRIPT = REPO / "datasets" / "get_datasets.sh"


def run_script(*args, env=None, path=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CIFAR10_")}
    full_env.update(env or {})
    if path is not None:
        full_env["PATH"] = path
    return subprocess.run(["bash", str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          env=full_env)


def leftovers(dest):
    """Anything the script wrote into dest: the data folder or a temporary folder."""
    return sorted(p.name for p in dest.iterdir() if p.name.startswith((".tmp.", "cifar-10-batches-py")))


@pytest.fixture
def dest(tmp_path):
    d = tmp_path / "dest"
    d.mkdir()
    return d


def test_refuses_unofficial_checksum_without_acceptance(tiny_archive, dest):
    result = run_script("--archive", tiny_archive, "--dest", dest)
    assert result.returncode != 0
    assert "not the official c58f30108f718f92721af3b95e74349a" in result.stderr
    assert "add --accept-checksum (make: CIFAR10_ACCEPT_CHECKSUM=1)" in result.stderr
    assert leftovers(dest) == []


def test_accepted_archive_is_extracted_with_a_warning_and_a_source_record(tiny_archive, dest):
    result = run_script("--archive", tiny_archive, "--accept-checksum", "--dest", dest)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("WARNING") == 1
    folder = dest / "cifar-10-batches-py"
    assert {"data_batch_1", "data_batch_5", "test_batch", "batches.meta"} <= {p.name for p in folder.iterdir()}
    record = (folder / "SOURCE.txt").read_text()
    # The file name only: notebooks print this record, and a folder of the machine has no place there.
    assert record.startswith("source: local archive tiny-cifar-10-python.tar.gz\n")
    assert str(tiny_archive.parent) not in record and "official: no" in record
    assert leftovers(dest) == ["cifar-10-batches-py"]


def test_source_record_names_a_relative_archive_by_its_file_name(tiny_archive, dest):
    result = subprocess.run(["bash", str(SCRIPT), "--archive", f"./{tiny_archive.name}", "--accept-checksum",
                             "--dest", str(dest)], capture_output=True, text=True, cwd=tiny_archive.parent)
    assert result.returncode == 0, result.stderr
    record = (dest / "cifar-10-batches-py" / "SOURCE.txt").read_text().splitlines()
    assert record[0] == "source: local archive tiny-cifar-10-python.tar.gz" and record[2] == "official: no"


def test_environment_variables_work_like_the_options_and_the_cwd_does_not_matter(tiny_archive, dest, tmp_path):
    env = {"CIFAR10_ARCHIVE": str(tiny_archive), "CIFAR10_ACCEPT_CHECKSUM": "1"}
    result = subprocess.run(["bash", str(SCRIPT), "--dest", str(dest)], capture_output=True, text=True,
                            env={**os.environ, **env}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (dest / "cifar-10-batches-py" / "test_batch").is_file()


def test_second_run_reuses_the_data(tiny_archive, dest):
    assert run_script("--archive", tiny_archive, "--accept-checksum", "--dest", dest).returncode == 0
    again = run_script("--dest", dest)  # no archive, no network needed
    assert again.returncode == 0
    assert "already" in again.stdout and "nothing to do" in again.stdout
    # An archive given again (or another one) is not silently taken as used.
    other = run_script("--archive", "/no/such/archive.tar.gz", "--dest", dest)
    assert other.returncode == 0
    assert (f"from local archive {tiny_archive.name}); the archive '/no/such/archive.tar.gz' was not used: "
            "delete that folder to extract it instead" in other.stdout)


def test_incomplete_existing_folder_is_reported(dest):
    (dest / "cifar-10-batches-py").mkdir()
    result = run_script("--dest", dest)
    assert result.returncode != 0 and "incomplete" in result.stderr and "delete it" in result.stderr


def test_truncated_archive_is_refused_and_nothing_is_left(tiny_archive, dest, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(tiny_archive.read_bytes()[: tiny_archive.stat().st_size // 2])
    result = run_script("--archive", truncated, "--accept-checksum", "--dest", dest)
    assert result.returncode != 0
    assert "corrupt or truncated" in result.stderr and "Copy or download the archive again" in result.stderr
    # The warning about an unofficial archive's numbers comes only once the file is known to be CIFAR-10.
    assert "WARNING" not in result.stdout
    assert leftovers(dest) == []


def test_archive_of_another_data_set_is_refused(dest, tmp_path):
    other = tmp_path / "cifar-100-python"
    other.mkdir()
    (other / "train").write_bytes(b"x" * 100)
    archive = tmp_path / "cifar-100-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(other, arcname="cifar-100-python")
    result = run_script("--archive", archive, "--accept-checksum", "--dest", dest)
    assert result.returncode != 0
    assert "not CIFAR-10's python version" in result.stderr
    assert leftovers(dest) == []


def test_missing_archive_file_is_named(dest, tmp_path):
    result = run_script("--archive", tmp_path / "nope.tar.gz", "--dest", dest)
    assert result.returncode != 0 and "nope.tar.gz' not found" in result.stderr
    result = run_script("--archive", tmp_path, "--dest", dest)
    assert result.returncode != 0 and f"archive '{tmp_path}' is a folder: give the archive file" in result.stderr


@pytest.mark.parametrize("value", ["yes", "true", "2"])
def test_an_acceptance_other_than_1_or_0_is_refused_not_ignored(tiny_archive, dest, value):
    result = run_script("--archive", tiny_archive, "--dest", dest, env={"CIFAR10_ACCEPT_CHECKSUM": value})
    assert result.returncode != 0
    assert f"CIFAR10_ACCEPT_CHECKSUM must be 1 (accept an archive whose md5 is not the official one) or 0, " \
           f"got '{value}'" in result.stderr
    assert leftovers(dest) == []


def test_no_network_gives_a_clear_error_and_no_partial_download(dest):
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    result = run_script("--dest", dest, env={"CIFAR10_URL": "http://127.0.0.1:9/cifar-10-python.tar.gz"})
    assert result.returncode != 0
    assert "download of http://127.0.0.1:9/cifar-10-python.tar.gz failed" in result.stderr
    assert "--archive FILE', or 'make setup CIFAR10_ARCHIVE=FILE'" in result.stderr
    assert leftovers(dest) == []


def tool_dir(tmp_path, tools):
    """A folder of links to just these commands, to run the script with a restricted PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    return bin_dir


BASIC_TOOLS = ["bash", "dirname", "df", "awk", "mktemp", "rm", "mv", "mkdir", "sed", "cut",
               "md5sum", "tar", "gzip", "grep", "head", "basename", "cat"]


def test_no_curl_nor_wget_is_explained(dest, tmp_path):
    result = run_script("--dest", dest, path=str(tool_dir(tmp_path, BASIC_TOOLS)))
    assert result.returncode != 0
    assert "neither curl nor wget" in result.stderr and "--archive FILE" in result.stderr
    assert leftovers(dest) == []


def test_no_disk_space_is_explained(tiny_archive, dest, tmp_path):
    bin_dir = tool_dir(tmp_path, [t for t in BASIC_TOOLS if t != "df"])
    fake_df = bin_dir / "df"
    fake_df.write_text("#!/bin/sh\necho 'Filesystem 1024-blocks Used Available Capacity Mounted'\n"
                       "echo '/dev/x 1000 990 10 99% /'\n")
    fake_df.chmod(0o755)
    result = run_script("--archive", tiny_archive, "--accept-checksum", "--dest", dest, path=str(bin_dir))
    assert result.returncode != 0
    assert "not enough disk space" in result.stderr and "MB needed" in result.stderr
    assert leftovers(dest) == []


def test_help_prints_the_header_comment():
    result = run_script("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("Fetch CIFAR-10 (python version)")
    assert "--accept-checksum" in result.stdout and "SOURCE.txt" in result.stdout
    assert "#" not in result.stdout and "set -euo" not in result.stdout
    # the help ends with the header's last sentence, not with the comments on the code below it
    assert result.stdout.rstrip().endswith("read by cs231n.data_utils).")


def test_unknown_argument_is_refused(dest):
    result = run_script("--frobnicate")
    assert result.returncode != 0 and "unknown argument '--frobnicate'" in result.stderr


def test_an_archive_with_a_link_is_refused_and_nothing_is_written_through_it(tiny_archive, dest, tmp_path):
    # An unofficial archive whose SOURCE.txt is a link: the script wrote its record through it, outside dest.
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    archive = tmp_path / "linked-cifar-10-python.tar.gz"
    with tarfile.open(tiny_archive) as src, tarfile.open(archive, "w:gz") as tar:
        for member in src.getmembers():
            tar.addfile(member, src.extractfile(member) if member.isfile() else None)
        link = tarfile.TarInfo("cifar-10-batches-py/SOURCE.txt")
        link.type, link.linkname = tarfile.SYMTYPE, str(victim)
        tar.addfile(link)
    result = run_script("--archive", archive, "--accept-checksum", "--dest", dest)
    assert result.returncode != 0
    assert "holds a link or special file (cifar-10-batches-py/SOURCE.txt)" in result.stderr
    assert victim.read_text() == "untouched\n" and leftovers(dest) == []
