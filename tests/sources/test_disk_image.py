"""Disk images as evidence sources: formats by content, partitions, file systems, deleted and
carved files, provenance, acquisition facts, and damaged images (images from
``disk_builders``)."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest

from interlink.domain.disk import ImageFacts
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.sources.base import DiskOptions
from interlink.sources.exhibit import open_exhibit
from tests.sources import disk_builders as built
from tests.sources.disk_builders import DiskImages


@functools.cache
def _scan(
    path: Path, options: DiskOptions | None = None
) -> tuple[dict[SourceRef, bytes], list[Problem], list[ImageFacts]]:
    """Every entry's content, the problems and the image facts (cached: images are read-only)."""
    contents: dict[SourceRef, bytes] = {}
    problems: list[Problem] = []
    facts: list[ImageFacts] = []
    for item in open_exhibit(path, "E1", disk=options, on_image=lambda _, f: facts.append(f)):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        with item.open() as stream:
            contents[item.ref] = stream.read()
        assert len(contents[item.ref]) == item.size
    return contents, problems, facts


def _files(contents: dict[SourceRef, bytes], state: str | None = None) -> dict[str, bytes]:
    """``partition name + path[:stream]`` -> content, for file-system files in ``state``."""
    found: dict[str, bytes] = {}
    for ref, data in contents.items():
        last = ref.layers[-1]
        if last.kind != "fs" or last.attr("state") != state:
            continue
        partitions = [layer.path for layer in ref.layers if layer.kind == "partition"]
        stream = last.attr("stream")
        found["/".join(partitions) + last.path + (f":{stream}" if stream else "")] = data
    return found


def _carved(contents: dict[SourceRef, bytes]) -> list[tuple[SourceRef, bytes]]:
    return [(ref, data) for ref, data in contents.items() if ref.layers[-1].kind == "carved"]


def test_an_e01_of_a_multi_partition_disk_gives_every_file_with_provenance(
    disk_images: DiskImages,
) -> None:
    contents, problems, facts = _scan(disk_images.e01)
    files = _files(contents)
    expected = {f"p1{k}": v for k, v in built.FAT_FILES.items()}
    expected |= {f"p2{k}": v for k, v in built.EXT_FILES.items()}
    expected |= {f"p3{k}": v for k, v in (built.NTFS_FILES | built.NTFS_STREAMS).items()}
    expected["p1/docs/bundle.zip"] = files["p1/docs/bundle.zip"]
    assert files == expected
    assert [p for p in problems if p.kind != ProblemKind.ENCRYPTED] == []
    beach = next(ref for ref in contents if ref.layers[-1].path == "/photos/2024/beach.jpg")
    partition, fs = beach.layers[1], beach.layers[2]
    assert beach.layers[0].path == "disk.E01"
    assert partition.kind == "partition"
    assert partition.attr("index") == "1"
    assert partition.attr("offset") == str(built.FAT_START * built.SECTOR)
    assert partition.attr("type") == "DOS FAT16 (0x06)"
    assert fs.attr("fs") == "FAT16" and fs.attr("inode")
    assert (fs.attr("m") or "").startswith("20") and fs.attr("b")
    ntfs = next(ref for ref in contents if ref.layers[-1].path == "/pic.jpg")
    assert ntfs.layers[-1].attr("fs") == "NTFS" and ntfs.layers[-1].attr("inode") == "64"
    assert ntfs.layers[1].attr("type") == "NTFS / exFAT (0x07)"
    ext = next(ref for ref in contents if ref.layers[-1].path == "/home/user/pic.png")
    assert ext.layers[-1].attr("fs") == "ext4"
    assert SourceRef.from_key(ext.key()) == ext
    zipped = [ref for ref in contents if ref.layers[-1].kind == "zip"]
    assert [contents[ref] for ref in zipped] == list(built.ZIP_MEMBERS.values())
    assert facts[0].format == "EWF" and facts[0].segments == 9


@pytest.mark.parametrize("name", ["raw", "split", "e01", "e01_deflate"])
def test_raw_split_raw_and_e01_read_the_same_files(disk_images: DiskImages, name: str) -> None:
    contents, _, _ = _scan(getattr(disk_images, name))
    assert sorted(_files(contents).values()) == sorted(_files(_scan(disk_images.raw)[0]).values())
    assert len(_files(contents)) == 8


@pytest.mark.parametrize("name", ["qcow2", "vmdk", "vhd", "vhdx"])
def test_virtual_disks_with_gpt_are_read(disk_images: DiskImages, name: str) -> None:
    contents, problems, facts = _scan(getattr(disk_images, name))
    assert _files(contents) == {f"p1{k}": v for k, v in built.EXT_FILES.items()}
    assert problems == []
    partition = next(iter(_files_refs(contents))).layers[1]
    assert partition.attr("scheme") == "gpt" and partition.attr("offset") == str(1 << 20)
    assert facts[0].format in {"QCOW", "VMDK", "VHDI"}


def _files_refs(contents: dict[SourceRef, bytes]) -> list[SourceRef]:
    return [ref for ref in contents if ref.layers[-1].kind == "fs"]


def test_a_single_partition_image_is_a_file_system_without_partition_layer(
    disk_images: DiskImages,
) -> None:
    contents, _, _ = _scan(disk_images.fat)
    assert _files(contents) == {
        **built.FAT_FILES,
        "/docs/bundle.zip": _files(contents)["/docs/bundle.zip"],
    }
    assert all(layer.kind != "partition" for ref in contents for layer in ref.layers)


def test_deleted_files_are_read_and_marked(disk_images: DiskImages) -> None:
    contents, _, _ = _scan(disk_images.e01)
    deleted = {
        ref.layers[-1].path: (ref.layers[-1].attr("overwritten"), data)
        for ref, data in contents.items()
        if ref.layers[-1].attr("state") == "deleted"
    }
    # FAT keeps the name but its first letter; ext4 (debugfs rm) keeps the inode's extents.
    assert deleted == {
        "/_ld.jpg": ("no", built.FAT_DELETED),
        "/gone.jpg": ("no", built.EXT_DELETED),
    }


def test_free_space_is_carved_and_what_a_file_claims_is_not(disk_images: DiskImages) -> None:
    contents, _, _ = _scan(disk_images.e01)
    carved = {data: ref for ref, data in _carved(contents)}
    assert set(carved) == {
        built.FAT_FREE,
        built.FREE_PNG,
        built.FAT_FILES["/photos/2024/beach.jpg"],
    }
    in_fat = carved[built.FAT_FREE].layers[-1]
    assert in_fat.attr("start") == str(built.FREE_JPEG_IN_FAT)
    assert in_fat.attr("end") == str(built.FREE_JPEG_IN_FAT + len(built.FAT_FREE))
    outside = carved[built.FREE_PNG]
    assert outside.layers[1].attr("offset") == str(
        built.NTFS_START * 512 + built.NTFS_SECTORS * 512
    )
    assert outside.layers[-1].attr("state") == "carved"
    none, _, _ = _scan(disk_images.e01, DiskOptions(carve=False))
    assert _carved(none) == []
    assert len(none) == len(contents) - 3


def test_the_acquisition_metadata_of_an_e01_is_read_and_verified(disk_images: DiskImages) -> None:
    _, problems, facts = _scan(disk_images.e01, DiskOptions(carve=False, verify=True))
    (image,) = facts
    acquisition = dict(image.acquisition)
    assert acquisition["case_number"] == "CASE-7"
    assert acquisition["evidence_number"] == "EV-1"
    assert acquisition["examiner_name"] == "Examiner X"
    assert acquisition["acquiry_date"]
    assert dict(image.stored)["md5"] == dict(image.computed)["md5"]
    assert image.verified is True
    assert problems == []
    raw = _scan(disk_images.raw, DiskOptions(carve=False, verify=True))[2][0]
    assert raw.verified is None and dict(raw.computed)["md5"] == dict(image.stored)["md5"]


def test_a_corrupt_segment_is_a_problem_with_its_offset_and_the_rest_is_read(
    disk_images: DiskImages, tmp_path: Path
) -> None:
    for segment in disk_images.folder.glob("disk.E0*"):
        shutil.copy(segment, tmp_path / segment.name)
    with (tmp_path / "disk.E07").open("r+b") as handle:
        handle.seek(1 << 20)
        handle.write(b"\xa5" * (1 << 20))
    contents, problems, facts = _scan(tmp_path / "disk.E01", DiskOptions(carve=False, verify=True))
    assert facts[0].verified is False
    assert any("offset" in p.message for p in problems)
    assert set(built.FAT_FILES.values()) <= set(_files(contents).values()) | {
        v for v in contents.values()
    }


def test_a_missing_segment_is_a_problem_naming_the_image(
    disk_images: DiskImages, tmp_path: Path
) -> None:
    for segment in disk_images.folder.glob("disk.E0*"):
        if segment.name != "disk.E05":
            shutil.copy(segment, tmp_path / segment.name)
    contents, problems, _ = _scan(tmp_path / "disk.E01")
    assert problems
    assert all(p.ref.layers[0].path == "disk.E01" for p in problems)
    assert SourceRef("E1").child("file", "disk.E01") in contents


def test_a_truncated_image_reads_what_is_there(disk_images: DiskImages, tmp_path: Path) -> None:
    cut = tmp_path / "cut.raw"
    cut.write_bytes(disk_images.raw.read_bytes()[: (built.EXT_START + 2048) * built.SECTOR])
    contents, problems, _ = _scan(cut, DiskOptions(carve=False))
    assert set(built.FAT_FILES.values()) <= set(_files(contents).values())
    assert problems
    assert any(p.ref.layers[-1].path in {"p2", "p3"} for p in problems)


def test_a_file_that_is_no_image_is_not_opened_as_one(tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 1024)
    (tmp_path / "mbr-like.bin").write_bytes(b"\x00" * 510 + b"\x55\xaa" + b"\x00" * (1 << 17))
    contents, problems, facts = _scan(tmp_path)
    assert len(contents) == 2 and problems == [] and facts == []


def test_an_iso_9660_image_and_a_raw_image_under_any_name(
    disk_images: DiskImages, tmp_path: Path
) -> None:
    contents, problems, _ = _scan(disk_images.iso)
    assert _files(contents) == {**built.EXT_FILES, "/gone.jpg": built.EXT_DELETED}
    assert {ref.layers[-1].attr("fs") for ref in _files_refs(contents)} == {"ISO9660"}
    assert problems == []
    disguised = tmp_path / "holiday.jpg"
    shutil.copy(disk_images.fat, disguised)
    renamed, _, facts = _scan(disguised)
    assert set(_files(renamed).values()) >= set(built.FAT_FILES.values())
    assert facts[0].format == "RAW"


def test_a_locked_luks_volume_is_reported_with_its_partition_and_kind(luks_disk: Path) -> None:
    contents, problems, _ = _scan(luks_disk, DiskOptions(carve=False))
    assert _files(contents) == {}
    (problem,) = problems
    assert problem.kind is ProblemKind.ENCRYPTED
    assert "LUKS encrypted volume" in problem.message and "not read" in problem.message
    partition = problem.ref.layers[-1]
    assert partition.kind == "partition"
    assert partition.attr("index") == "1"
    assert partition.attr("offset") == str(built.LUKS_START * built.SECTOR)


def test_a_luks_volume_opened_with_its_password_gives_its_files(luks_disk: Path) -> None:
    opened = DiskOptions(carve=False, credentials=(("password", built.LUKS_PASSWORD),))
    contents, problems, _ = _scan(luks_disk, opened)
    assert problems == []
    assert _files(contents) == {f"p1/LUKS{k}": v for k, v in built.EXT_FILES.items()}
    assert _files(contents, "deleted") == {"p1/LUKS/gone.jpg": built.EXT_DELETED}
    layers = next(iter(_files_refs(contents))).layers
    assert [layer.attr("encryption") for layer in layers if layer.kind == "partition"] == [
        None,
        "LUKS",
    ]


def test_a_password_given_to_one_scan_opens_nothing_for_the_next(luks_disk: Path) -> None:
    """dfVFS keeps credentials and open volumes per process: a scan that opened the volume
    must not leave it open to a later scan of the same image without the password."""
    opened = DiskOptions(carve=True, credentials=(("password", built.LUKS_PASSWORD),))
    assert _files(_scan(luks_disk, opened)[0])
    contents, problems, _ = _scan(luks_disk, DiskOptions(carve=True))
    assert _files(contents) == {}
    assert [p.kind for p in problems] == [ProblemKind.ENCRYPTED]


def test_a_wrong_password_leaves_the_luks_volume_reported_not_read(luks_disk: Path) -> None:
    wrong = DiskOptions(carve=False, credentials=(("password", "not the password"),))
    contents, problems, _ = _scan(luks_disk, wrong)
    assert _files(contents) == {}
    (problem,) = problems
    assert problem.kind is ProblemKind.ENCRYPTED
    assert "the credentials given do not open it" in problem.message


def test_an_ntfs_alternate_data_stream_is_its_own_item(disk_images: DiskImages) -> None:
    contents, _, _ = _scan(disk_images.ntfs)
    ((name, data),) = built.NTFS_STREAMS.items()
    path, stream = name.split(":")
    refs = [ref for ref in contents if ref.layers[-1].path == path]
    assert sorted(ref.layers[-1].attr("stream") or "" for ref in refs) == ["", stream]
    hidden = next(ref for ref in refs if ref.layers[-1].attr("stream") == stream)
    assert contents[hidden] == data
    # The stream and the file's unnamed data are one MFT entry.
    assert len({ref.layers[-1].attr("inode") for ref in refs}) == 1
