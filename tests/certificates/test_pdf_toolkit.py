"""The certificate PDF toolkit (#12): site keys, stamp, PAdES signing, void watermark.

Checked with the poppler tools (pdfsig, pdftotext, pdftoppm, pdffonts) as an independent reader; a
missing tool fails the test. The source PDF is written here with pikepdf (Helvetica text, A4).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import stat
import subprocess

import pikepdf
import pytest
import segno
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, ImageDraw

from metrology.certificates.pdf import Box, KeyRefused, glyphs, keys, sign, stamp, validate, void_watermark

A4 = (595.28, 841.89)
URL = "https://metrology.example/verify/Zq7x3KpL9"
SEAL_BOX = Box(140, 30, 40, 40)
QR_BOX = Box(20, 25, 25, 25)
VOID_REASON = "客户名称填写错误"
VOID_DAY = dt.date(2026, 12, 3)


def poppler(tool: str, *args, check: bool = True) -> subprocess.CompletedProcess:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install poppler-utils")
    return subprocess.run([tool, *args], capture_output=True, check=check, timeout=60)


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def source_pdf(pages: int = 2) -> bytes:
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=A4)
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(
            b"BT /F1 14 Tf 72 770 Td (Calibration certificate, page %d) Tj ET" % number)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def seal_png() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(220, 0, 0, 255), width=12)
    draw.regular_polygon((120, 120, 50), 5, fill=(220, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def render(tmp_path, pdf: bytes, page: int, dpi: int,
           crop: tuple[int, int, int, int] | None = None) -> Image.Image:
    """The page as an RGB image; ``crop`` (x, y from the top-left, width, height) in pixels."""
    path = write(tmp_path, f"render-{page}-{dpi}.pdf", pdf)
    prefix = str(tmp_path / f"render-{page}-{dpi}")
    area = [] if crop is None else [item for flag, value in zip("xyWH", crop, strict=True)
                                    for item in (f"-{flag}", str(value))]
    poppler("pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page), *area,
            path, prefix)
    return Image.open(prefix + ".png").convert("RGB")


def strongly_red(pixel) -> bool:
    r, g, b = pixel
    return r > 200 and r - g > 50 and r - b > 50


def text_of(tmp_path, pdf: bytes, *args) -> str:
    path = write(tmp_path, "text.pdf", pdf)
    return re.sub(r"\s+", "", poppler("pdftotext", *args, path, "-").stdout.decode("utf-8"))


def signature_blocks(report: str) -> list[str]:
    return report.split("Signature #")[1:]


@pytest.fixture(scope="module")
def site_key(tmp_path_factory):
    return keys.make_site_signing_key(tmp_path_factory.mktemp("keys"), "测试计量检定所")


@pytest.fixture(scope="module")
def stamped():
    return stamp(source_pdf(), seal_png=seal_png(), seal_box=SEAL_BOX, qr_url=URL, qr_box=QR_BOX,
                 page_numbers=True)


@pytest.fixture(scope="module")
def signed(stamped, site_key):
    return sign(stamped, key=site_key, field_name="Issue", reason="签发", location="杭州", certify=False)


@pytest.fixture(scope="module")
def voided(signed, site_key):
    marked = void_watermark(signed, reason=VOID_REASON, voided_on=VOID_DAY)
    return sign(marked, key=site_key, field_name="Void", reason="作废", location="杭州", certify=False)


# keys


def test_a_new_site_gets_a_ca_and_a_signing_certificate_as_pem_with_private_keys_mode_0600(site_key):
    assert site_key.ca_certificate is not None
    assert site_key.certificate.issuer == site_key.ca_certificate.subject
    assert site_key.ca_certificate.ca
    usage = site_key.certificate.key_usage_value.native
    assert {"digital_signature", "non_repudiation"} <= set(usage)
    assert site_key.subject == "测试计量检定所"
    assert site_key.not_after > dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=365)


def test_the_site_key_folder_is_read_back_and_never_overwritten(tmp_path):
    made = keys.make_site_signing_key(tmp_path, "示例所", algorithm="ec")
    for name in (keys.CA_KEY, keys.SIGNING_KEY):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    for name in (keys.CA_CERT, keys.SIGNING_CERT):
        assert (tmp_path / name).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    loaded = keys.load_signing_key(tmp_path)
    assert loaded.fingerprint == made.fingerprint
    assert loaded.ca_certificate.sha256 == made.ca_certificate.sha256
    with pytest.raises(FileExistsError):
        keys.make_site_signing_key(tmp_path, "示例所")
    assert keys.ensure_site_signing_key(tmp_path, "示例所").fingerprint == made.fingerprint


def test_workers_ensuring_the_site_key_at_once_share_one_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "keys"
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: keys.ensure_site_signing_key(folder, "示例所", algorithm="ec"), range(4)))
    assert len({key.fingerprint for key in made}) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [keys.CA_CERT, keys.CA_KEY, keys.SIGNING_CERT, keys.SIGNING_KEY])


# PKCS#12 upload


def _ca(name="Upload Test CA"):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca, *, days=(-1, 365), usage=None, eku=None):
    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "上传机构")]))
               .issuer_name(ca_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now + dt.timedelta(days=days[0] - 1))
               .not_valid_after(now + dt.timedelta(days=days[1])))
    usage = usage or dict(digital_signature=True, content_commitment=True)
    builder = builder.add_extension(x509.KeyUsage(**{
        "digital_signature": False, "content_commitment": False, "key_encipherment": False,
        "data_encipherment": False, "key_agreement": False, "key_cert_sign": False, "crl_sign": False,
        "encipher_only": False, "decipher_only": False, **usage}), critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def _p12(key, cert, cas, password=b"s3cret"):
    return pkcs12.serialize_key_and_certificates(
        b"institute", key, cert, cas, serialization.BestAvailableEncryption(password))


def test_a_pkcs12_upload_gives_a_key_whose_signatures_are_trusted_through_its_root(stamped, tmp_path):
    ca = _ca()
    key, cert = _leaf(ca)
    uploaded = keys.load_pkcs12(_p12(key, cert, [ca[1]]), "s3cret")
    assert uploaded.subject == "上传机构"
    assert uploaded.issuer == "Upload Test CA"
    signed_pdf = sign(stamped, key=uploaded, field_name="Issue", reason="签发", location="杭州", certify=True)
    [report] = validate(signed_pdf, uploaded)
    assert report.ok and report.certifying


def test_an_installed_pkcs12_replaces_the_site_key_and_keeps_the_previous_one(tmp_path):
    site = keys.make_site_signing_key(tmp_path, "示例所", algorithm="ec")
    ca = _ca()
    key, cert = _leaf(ca)
    with pytest.raises(KeyRefused):
        keys.install_pkcs12(tmp_path, _p12(key, cert, [ca[1]]), "wrong")
    assert keys.load_signing_key(tmp_path).fingerprint == site.fingerprint
    installed = keys.install_pkcs12(tmp_path, _p12(key, cert, [ca[1]]), "s3cret")
    loaded = keys.load_signing_key(tmp_path)
    assert loaded.fingerprint == installed.fingerprint != site.fingerprint
    assert loaded.ca_certificate.sha256 == installed.ca_certificate.sha256
    assert stat.S_IMODE((tmp_path / keys.SIGNING_KEY).stat().st_mode) == 0o600
    [previous] = tmp_path.glob("previous-*")
    assert keys.load_signing_key(previous).fingerprint == site.fingerprint


@pytest.mark.parametrize("case, code", [
    ("wrong password", "wrong_password"),
    ("not pkcs12", "unreadable"),
    ("certificate only", "no_private_key"),
    ("expired", "expired"),
    ("encryption certificate", "not_for_signing"),
    ("web server certificate", "not_for_signing"),
])
def test_a_pkcs12_upload_that_cannot_sign_is_refused_with_its_reason(case, code):
    ca = _ca()
    key, cert = _leaf(ca)
    data, password = _p12(key, cert, [ca[1]]), "s3cret"
    if case == "wrong password":
        password = "guess"
    elif case == "not pkcs12":
        data = b"-----BEGIN CERTIFICATE-----\nnot a pkcs12 file\n"
    elif case == "certificate only":
        data = pkcs12.serialize_key_and_certificates(
            b"institute", None, None, [cert, ca[1]], serialization.BestAvailableEncryption(b"s3cret"))
    elif case == "expired":
        data = _p12(*_leaf(ca, days=(-800, -30)), [ca[1]])
    elif case == "encryption certificate":
        data = _p12(*_leaf(ca, usage={"key_encipherment": True, "key_agreement": True}), [ca[1]])
    elif case == "web server certificate":
        data = _p12(*_leaf(ca, eku=[ExtendedKeyUsageOID.SERVER_AUTH]), [ca[1]])
    with pytest.raises(KeyRefused) as refused:
        keys.load_pkcs12(data, password)
    assert refused.value.code == code
    assert str(refused.value)


# glyph font


def test_the_simplified_chinese_face_is_extracted_once_from_the_collection(tmp_path):
    from fontTools.ttLib import TTFont

    path = glyphs.glyph_font_path(tmp_path)
    first = path.stat().st_mtime_ns
    assert glyphs.glyph_font_path(tmp_path) == path and path.stat().st_mtime_ns == first
    subset = TTFont(str(glyphs.subset_font_path("作废", tmp_path)))
    assert subset["name"].getDebugName(6) == "NotoSansCJKsc-Regular"
    assert {ord("作"), ord("废")} <= set(subset.getBestCmap())


# stamp


def test_every_stamped_page_carries_page_x_of_y(stamped, tmp_path):
    for page in (1, 2):
        assert f"第{page}页共2页" in text_of(tmp_path, stamped, "-f", str(page), "-l", str(page))


def test_the_stamp_embeds_noto_sans_cjk_sc_as_a_subset(stamped, tmp_path):
    report = poppler("pdffonts", write(tmp_path, "s.pdf", stamped)).stdout.decode()
    [line] = [line for line in report.splitlines() if "NotoSansCJKsc" in line]
    name, *_, emb, sub, uni, _obj, _gen = line.split()
    assert re.match(r"^[A-Z]{6}\+NotoSansCJKsc-Regular", name)
    assert (emb, sub, uni) == ("yes", "yes", "yes")


def test_the_qr_code_on_the_rendered_page_is_the_encoding_of_the_url(stamped, tmp_path):
    # No QR decoder is installed: sample every module of the rendered code and compare it with
    # segno's encoding of the URL (quiet zone included), which is what a decoder would read.
    dpi = 300
    px = dpi / 25.4
    page_height = round(A4[1] / 72 * dpi)
    bottom_strip = round((QR_BOX.y + QR_BOX.height + 5) * px)  # the page's bottom up to 5 mm above the code
    crop = (0, page_height - bottom_strip, round((QR_BOX.x + QR_BOX.width + 5) * px), bottom_strip)
    image = render(tmp_path, stamped, 1, dpi, crop)
    matrix = [list(row) for row in segno.make(URL, error="m", micro=False).matrix_iter(scale=1, border=2)]
    side = QR_BOX.width * px
    left, top = QR_BOX.x * px, 5 * px
    step = side / len(matrix)
    gray = image.convert("L")
    sampled = [[int(gray.getpixel((int(left + (c + 0.5) * step), int(top + (r + 0.5) * step))) < 128)
                for c in range(len(matrix))] for r in range(len(matrix))]
    assert sampled == [[int(bool(v)) for v in row] for row in matrix]


def test_the_seal_is_drawn_with_its_transparency_on_the_first_page_only(stamped, tmp_path):
    px = 50 / 25.4
    for page, expect_seal in ((1, True), (2, False)):
        image = render(tmp_path, stamped, page, 50)
        cx = (SEAL_BOX.x + SEAL_BOX.width / 2) * px
        cy = image.height - (SEAL_BOX.y + SEAL_BOX.height / 2) * px
        assert strongly_red(image.getpixel((int(cx), int(cy)))) is expect_seal
        corner = image.getpixel((int(SEAL_BOX.x * px + 2), int(image.height - (SEAL_BOX.y * px) - 2)))
        assert corner == (255, 255, 255)  # transparent corner of the PNG, not a white box drawn over


# signing


def test_pdfsig_reports_the_signed_pdf_valid(signed, tmp_path):
    report = poppler("pdfsig", "-nocert", "-no-ocsp", write(tmp_path, "signed.pdf", signed)).stdout.decode()
    [block] = signature_blocks(report)
    assert "Signature Validation: Signature is Valid." in block
    assert "ETSI.CAdES.detached" in block
    assert "Total document signed" in block


def test_one_changed_byte_inside_the_signed_range_makes_pdfsig_report_a_digest_mismatch(
        signed, site_key, tmp_path):
    start, length = [int(v) for v in re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", signed).groups()]
    assert start == 0 and length > 20
    tampered = bytearray(signed)
    tampered[11] ^= 0x01  # in the binary comment on the second line: still a well-formed PDF
    report = poppler("pdfsig", "-nocert", "-no-ocsp", write(tmp_path, "tampered.pdf", bytes(tampered)),
                     check=False).stdout.decode()
    assert "Digest Mismatch" in report
    assert "Signature is Valid" not in report
    [pyhanko_report] = validate(bytes(tampered), site_key)
    assert not pyhanko_report.intact


def test_pyhanko_validation_trusts_the_signature_through_the_site_ca_only(signed, site_key, tmp_path):
    [report] = validate(signed, site_key)
    assert (report.intact, report.valid, report.trusted, report.coverage) == (True, True, True, "ENTIRE_FILE")
    assert report.field_name == "Issue" and report.signer == "测试计量检定所" and report.reason == "签发"
    other_site = keys.make_site_signing_key(tmp_path, "另一个所", algorithm="ec")
    [foreign] = validate(signed, other_site)
    assert foreign.intact and foreign.valid and not foreign.trusted


def test_a_visible_signature_is_a_signature_field_with_a_box(stamped, site_key, tmp_path):
    signed_pdf = sign(stamped, key=site_key, field_name="Issue", reason="签发", location="杭州",
                      certify=False, visible_box=Box(20, 60, 60, 15))
    document = pikepdf.open(io.BytesIO(signed_pdf))
    field = document.Root.AcroForm.Fields[0]
    x1, y1, x2, y2 = (float(v) for v in field.Rect)
    assert (round(x2 - x1), round(y2 - y1)) == (170, 43)
    report = poppler("pdfsig", "-nocert", "-no-ocsp",
                     write(tmp_path, "visible.pdf", signed_pdf)).stdout.decode()
    assert "Signature is Valid." in report


# void


def test_the_void_update_and_second_signature_keep_both_signatures_verifiable(
        signed, voided, site_key, tmp_path):
    assert voided.startswith(signed)
    report = poppler("pdfsig", "-nocert", "-no-ocsp", write(tmp_path, "void.pdf", voided)).stdout.decode()
    issue, void = signature_blocks(report)
    assert "Signature Validation: Signature is Valid." in issue and "Not total document signed" in issue
    assert "Signature Validation: Signature is Valid." in void and "Total document signed" in void
    first, second = validate(voided, site_key)
    assert (first.field_name, second.field_name) == ("Issue", "Void")
    assert first.ok and second.ok
    assert (first.coverage, second.coverage) == ("ENTIRE_REVISION", "ENTIRE_FILE")
    assert first.modification_level == "OTHER"  # the watermark changed the pages after the issue


def test_the_voided_pdf_says_void_with_the_reason_and_the_date_on_every_page(voided, tmp_path):
    for page in (1, 2):
        text = text_of(tmp_path, voided, "-raw", "-f", str(page), "-l", str(page))
        assert f"作废原因：{VOID_REASON}" in text
        assert "作废日期：2026年12月3日" in text
        assert "作废" in text.replace(f"作废原因：{VOID_REASON}", "").replace("作废日期", "")


def test_a_rendered_voided_page_has_a_red_band_along_its_diagonal(signed, voided, tmp_path):
    def red_share(pdf, points):
        image = render(tmp_path, pdf, 2, 50)
        w, h = image.size
        hits = [strongly_red(image.getpixel((int(fx * w), int((1 - fy) * h)))) for fx, fy in points]
        return sum(hits) / len(hits)

    diagonal = [(t / 40, t / 40) for t in range(4, 37)]
    off_diagonal = [(0.08, 0.9), (0.9, 0.08), (0.15, 0.75), (0.8, 0.2)]
    assert red_share(voided, diagonal) > 0.9
    assert red_share(voided, off_diagonal) == 0
    assert red_share(signed, diagonal) == 0


def test_a_reason_with_characters_the_font_lacks_still_voids_the_pdf(signed, tmp_path):
    voided_pdf = void_watermark(signed, reason="误填🙂", voided_on=VOID_DAY)
    assert "作废原因：误填?" in text_of(tmp_path, voided_pdf, "-raw", "-f", "1", "-l", "1")
