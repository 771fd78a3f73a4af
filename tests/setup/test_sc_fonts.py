"""scripts/sc-fonts.py writes the SC faces of Debian's Noto CJK collections as fonts of their own, and
the converter's fontconfig finds them, or the system's Noto CJK SC without them (#12).

The script runs on a folder of links to the installed collections and writes into a temporary folder
(about 83 MB, a few seconds, once for the module); nothing of the checkout is written.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from metrology.print_formats import converter, east_asian

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "sc-fonts.py"
FONTS_CONF = REPO / "apps" / "metrology" / "print_formats" / "fonts" / "fonts.conf"


def _script_module():
    spec = importlib.util.spec_from_file_location("sc_fonts", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sc_fonts = _script_module()


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def _links(folder: Path, collections: list[str]) -> Path:
    folder.mkdir()
    for name in collections:
        installed = sc_fonts.SOURCE / name
        assert installed.is_file(), f"{installed} is not installed: run scripts/system-packages.sh test"
        (folder / name).symlink_to(installed)
    return folder


def _stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in folder.iterdir()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    base = tmp_path_factory.mktemp("sc-fonts")
    source = _links(base / "noto", [collection for collection, _name, _style in sc_fonts.FACES])
    target = base / "fonts"
    return source, target, _run("test", "--source", str(source), "--target", str(target))


def test_the_four_sc_faces_are_written_under_their_simplified_chinese_names(generated):
    from fontTools.ttLib import TTCollection, TTFont

    source, target, first = generated

    assert first.returncode == 0, first.stderr
    assert sorted(path.name for path in target.glob("*.otf")) == sorted(converter.SC_FONT_FILES)
    for collection, name, style in sc_fonts.FACES:
        font = TTFont(target / f"{name}.otf", lazy=True)
        cff = font["CFF "].cff
        assert cff.fontNames == [name]
        assert {fd.FontName.rsplit("-", 1)[0] for fd in cff[0].FDArray} == {name}
        assert " CJK SC" in cff[0].FamilyName and " CJK SC" in cff[0].FullName
        assert font["name"].getDebugName(6) == name
        assert font["name"].getDebugName(1) == sc_fonts.FAMILIES[style]
        original = next(face for face in TTCollection(str(source / collection), lazy=True).fonts
                        if face["name"].getDebugName(6) == name)
        assert font.getBestCmap() == original.getBestCmap()  # the SC face's characters and glyphs
        assert len(font.reader["CFF "]) == len(original.reader["CFF "])
        query = subprocess.run(["fc-query", "-f", "%{family}|%{postscriptname}", str(target / f"{name}.otf")],
                               capture_output=True, text=True, check=True).stdout
        assert query == f"{sc_fonts.FAMILIES[style]}|{name}"


def test_a_second_run_writes_nothing_and_a_lost_face_is_written_again(generated):
    source, target, _first = generated
    before = _stats(target)

    again = _run("test", "--source", str(source), "--target", str(target))
    unchanged = _stats(target)
    (target / "NotoSansCJKsc-Bold.otf").unlink()
    repaired = _run("test", "--source", str(source), "--target", str(target))

    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""
    assert unchanged == before
    assert repaired.returncode == 0, repaired.stderr
    assert repaired.stdout == f"sc-fonts: NotoSansCJKsc-Bold.otf written to {target}\n"
    after = _stats(target)
    kept = set(before) - {"NotoSansCJKsc-Bold.otf", sc_fonts.MANIFEST}
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}


@pytest.mark.parametrize("profile, status", [("test", 1), ("run", 0)])
def test_a_missing_collection_is_named_fatal_for_test_and_a_warning_for_run(tmp_path, profile, status):
    source = _links(tmp_path / "noto", ["NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc",
                                         "NotoSansCJK-Bold.ttc"])

    done = _run(profile, "--source", str(source), "--target", str(tmp_path / "fonts"))

    assert done.returncode == status
    assert f"{source / 'NotoSerifCJK-Bold.ttc'} is missing: install fonts-noto-cjk" in done.stderr
    assert not (tmp_path / "fonts").exists()
    if profile == "run":
        assert "pdffonts names NotoSerifCJKjp" in done.stderr


def test_the_script_the_converter_fonts_conf_and_the_rewrite_agree_on_folder_files_and_families():
    relative = re.search(r'<dir prefix="relative">([^<]+)</dir>', FONTS_CONF.read_text(encoding="utf-8"))[1]

    assert (FONTS_CONF.parent / relative).resolve() == converter.SC_FONTS_DIR.resolve() == \
        sc_fonts.TARGET.resolve()
    assert sorted(f"{name}.otf" for _c, name, _s in sc_fonts.FACES) == sorted(converter.SC_FONT_FILES)
    assert set(sc_fonts.FAMILIES.values()) == {east_asian.SERIF, east_asian.SANS}


def _config_copy(tmp_path: Path) -> Path:
    """fonts.conf four folders below tmp_path, as below the checkout, with a cache folder of its own."""
    config = tmp_path / "a" / "b" / "c" / "d" / "fonts.conf"
    config.parent.mkdir(parents=True)
    text = FONTS_CONF.read_text(encoding="utf-8")
    cache = f"\n<fontconfig>\n  <cachedir>{tmp_path}/cache</cachedir>\n"
    config.write_text(text.replace("\n<fontconfig>\n", cache, 1), encoding="utf-8")
    return config


def _fc_match(config: Path, family: str) -> str:
    return subprocess.run(["fc-match", "-f", "%{family[0]}|%{style[0]}|%{file}", family],
                          env={**os.environ, "FONTCONFIG_FILE": str(config)},
                          capture_output=True, text=True, check=True).stdout


def test_chinese_font_names_resolve_to_the_written_faces(generated, tmp_path):
    _source, target, _first = generated
    config = _config_copy(tmp_path)
    (tmp_path / ".venv" / "share").mkdir(parents=True)
    (tmp_path / ".venv" / "share" / "metrology-fonts").symlink_to(target)

    folder = config.parents[4] / ".venv" / "share" / "metrology-fonts"
    assert _fc_match(config, "宋体") == f"{east_asian.SERIF}|Regular|{folder}/NotoSerifCJKsc-Regular.otf"
    assert _fc_match(config, "宋体:lang=zh-cn").startswith(f"{east_asian.SERIF}|Regular|")  # not sans-serif's
    assert _fc_match(config, "黑体:bold").startswith(f"{east_asian.SANS}|Bold|")
    assert _fc_match(config, "serif:lang=zh-cn").startswith(f"{east_asian.SERIF}|Regular|")


@pytest.mark.parametrize("family, expected", [
    ("宋体", "Noto Serif CJK SC"), ("Metrology Serif SC:bold", "Noto Serif CJK SC"),
    ("Metrology Sans SC", "Noto Sans CJK SC"), ("sans-serif:lang=zh-cn", "Noto Sans CJK SC")])
def test_without_the_written_faces_the_systems_noto_cjk_sc_faces_print(tmp_path, family, expected):
    config = _config_copy(tmp_path)

    found = _fc_match(config, family).split("|")

    assert found[0] == expected and found[2].startswith("/usr/share/fonts/opentype/noto/"), found


def test_the_converter_reports_missing_faces_as_degraded_and_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(converter, "SC_FONTS_DIR", tmp_path)
    monkeypatch.setattr(converter, "_find_soffice", lambda: "/usr/bin/soffice")

    status = converter.converter_status()

    assert converter.missing_sc_fonts() == list(converter.SC_FONT_FILES)
    assert status["ok"] is False
    assert f"Simplified Chinese fonts missing in {tmp_path}" in status["detail"]
    assert "run `make setup`" in status["detail"]


def test_the_converter_with_the_written_faces_reports_nothing_missing():
    assert converter.missing_sc_fonts() == [], "run `make setup` (scripts/sc-fonts.py)"
