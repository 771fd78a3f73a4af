"""The institute's signing key: a site's own CA for the demo, or an uploaded PKCS#12.

Folder layout written by :func:`make_site_signing_key` (PEM; private keys mode 0600)::

    <folder>/ca-cert.pem       the site's self-signed CA certificate (the trust root); after
                               install_pkcs12, the uploaded chain (intermediates and root, if any)
    <folder>/ca-key.pem        its private key (kept to renew the signing certificate)
    <folder>/signing-cert.pem  the signing certificate, issued by the CA
    <folder>/signing-key.pem   its private key

:func:`load_signing_key` reads that folder back; :func:`load_pkcs12` reads an uploaded ``.p12``
/ ``.pfx`` and refuses, with a :class:`KeyRefused` whose ``code`` says why, what cannot sign;
:func:`install_pkcs12` puts an accepted upload in the folder in place of the site's key (the
previous files move to ``<folder>/previous-<UTC time>/``; ``ca-key.pem`` goes with them).
Every function returns a :class:`SigningKey`, which carries pyHanko's ``SimpleSigner``.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils.translation import gettext
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

CA_CERT = "ca-cert.pem"
CA_KEY = "ca-key.pem"
SIGNING_CERT = "signing-cert.pem"
SIGNING_KEY = "signing-key.pem"

CA_VALIDITY_DAYS = 20 * 365
SIGNING_VALIDITY_DAYS = 10 * 365


class KeptKeySigner(SimpleSigner):
    """pyHanko's ``SimpleSigner`` holding the parsed private key.

    ``SimpleSigner.sign_raw`` parses the DER key on every call, which for RSA 3072 costs about
    120 ms (twice per signature: pyHanko signs once to size the placeholder); this keeps it.
    """

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            name = mechanism.signature_algo
        except ValueError:
            name = mechanism["algorithm"].native
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if name == "rsassa_pkcs1v15":
            return self._private_key.sign(data, PKCS1v15(), digest)
        if name == "ecdsa":
            return self._private_key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)


class KeyRefused(ValueError):
    """A key or certificate that cannot sign certificates. ``code`` is stable, the message translated.

    Codes: ``wrong_password``, ``unreadable``, ``no_private_key``, ``no_certificate``,
    ``key_mismatch``, ``expired``, ``not_yet_valid``, ``not_for_signing``, ``unsupported_key``.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SigningKey:
    """What signing and validation need.

    ``signer`` is a ready pyHanko ``SimpleSigner`` (key, certificate, chain); ``certificate`` the
    signing certificate and ``ca_certificate`` the root to trust when validating (``None`` when an
    uploaded PKCS#12 carries no self-signed root), both asn1crypto certificates; ``chain`` the
    intermediate/root certificates sent with each signature. ``subject`` and ``issuer`` are the
    common names (RFC 4514 strings when there is none), ``not_before``/``not_after`` aware UTC
    datetimes, ``fingerprint`` the SHA-256 of the signing certificate in hex.
    """

    signer: KeptKeySigner
    certificate: asn1_x509.Certificate
    ca_certificate: asn1_x509.Certificate | None
    chain: tuple[asn1_x509.Certificate, ...]
    subject: str
    issuer: str
    serial_number: int
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint: str

    def summary(self) -> dict:
        """Plain values for a page or a log: subject, issuer, serial, validity, fingerprint."""
        return {"subject": self.subject, "issuer": self.issuer, "serial_number": f"{self.serial_number:x}",
                "not_before": self.not_before.isoformat(), "not_after": self.not_after.isoformat(),
                "fingerprint": self.fingerprint}


def _name(name: x509.Name) -> str:
    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cns[0].value) if cns else name.rfc4514_string()


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _build(private_key, cert: x509.Certificate, others: list[x509.Certificate]) -> SigningKey:
    chain = [_asn1(c) for c in others]
    roots = [a for c, a in zip(others, chain, strict=True) if c.subject == c.issuer]
    der_key = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    signing_cert = _asn1(cert)
    signer = KeptKeySigner(private_key=private_key, signing_cert=signing_cert,
                           signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
                           cert_registry=SimpleCertificateStore.from_certs([signing_cert, *chain]))
    return SigningKey(
        signer=signer, certificate=signing_cert, ca_certificate=roots[0] if roots else None,
        chain=tuple(chain), subject=_name(cert.subject), issuer=_name(cert.issuer),
        serial_number=cert.serial_number, not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc, fingerprint=cert.fingerprint(hashes.SHA256()).hex())


def _check_usable(private_key, cert: x509.Certificate, now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now(dt.timezone.utc)
    if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyRefused("unsupported_key", gettext(
            "The key type is not supported: an RSA or ECDSA key is needed (SM2 keys cannot sign PDFs here)."))
    if private_key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise KeyRefused("key_mismatch", gettext("The private key does not belong to the certificate."))
    if cert.not_valid_after_utc < now:
        raise KeyRefused("expired", gettext("The certificate expired on %(date)s.") % {
            "date": cert.not_valid_after_utc.date().isoformat()})
    if cert.not_valid_before_utc > now:
        raise KeyRefused("not_yet_valid", gettext("The certificate is not valid before %(date)s.") % {
            "date": cert.not_valid_before_utc.date().isoformat()})
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise KeyRefused("not_for_signing", gettext(
            "The certificate is not for signing: its key usage allows neither digital signature "
            "nor non-repudiation."))
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        eku = None
    if eku is not None and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in eku and not (
            # clientAuth: many organisation certificates of Chinese CAs name only it and email
            set(eku) & {ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CODE_SIGNING,
                        ExtendedKeyUsageOID.CLIENT_AUTH,
                        x509.ObjectIdentifier("1.2.840.113583.1.1.5"),  # Adobe Authentic Documents Trust
                        x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")}):  # Microsoft document signing
        raise KeyRefused("not_for_signing", gettext(
            "The certificate is not for signing documents: its extended key usage is limited to "
            "other purposes (such as a web server)."))


def _write_pem(path: Path, data: bytes, private: bool) -> None:
    """Write whole or not at all, never over an existing file (a hard link is atomic and exclusive)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o600 if private else 0o644)
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _new_key(algorithm: str):
    if algorithm == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if algorithm == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"algorithm must be 'rsa' or 'ec', not {algorithm!r}")


def make_site_signing_key(folder: Path, institute_name: str, *, algorithm: str = "rsa",
                          now: dt.datetime | None = None) -> SigningKey:
    """Create a new site's CA and a signing certificate issued by it, written as PEM in ``folder``.

    :param folder: the site's keys folder (created if missing, mode 0700).
    :param institute_name: the institute's name, used in both certificates' subject (O and CN:
        "<name> 根证书" for the CA, the name itself for the signing certificate).
    :param algorithm: ``"rsa"`` (RSA 3072, default: every validator supports it) or ``"ec"``
        (ECDSA P-256).
    :returns: the :class:`SigningKey` of the new signing certificate.
    :raises FileExistsError: the folder already holds a key (never overwritten; see
        :func:`ensure_site_signing_key`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in (CA_CERT, CA_KEY, SIGNING_CERT, SIGNING_KEY):
        if (folder / name).exists():
            raise FileExistsError(folder / name)
    now = now or dt.datetime.now(dt.timezone.utc)
    ca_key, key = _new_key(algorithm), _new_key(algorithm)
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, institute_name),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{institute_name} 根证书")])
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, institute_name),
                         x509.NameAttribute(NameOID.COMMON_NAME, institute_name)])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     key_cert_sign=True, crl_sign=True, encipher_only=False,
                                     decipher_only=False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256()))
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SIGNING_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     key_cert_sign=False, crl_sign=False, encipher_only=False,
                                     decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256()))

    def pem_key(k):
        return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())

    _write_pem(folder / CA_KEY, pem_key(ca_key), private=True)
    _write_pem(folder / SIGNING_KEY, pem_key(key), private=True)
    _write_pem(folder / CA_CERT, ca_cert.public_bytes(serialization.Encoding.PEM), private=False)
    _write_pem(folder / SIGNING_CERT, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return _build(key, cert, [ca_cert])


_loaded: dict[tuple, SigningKey] = {}
_loaded_lock = threading.Lock()


def load_signing_key(folder: Path) -> SigningKey:
    """Read the signing key written by :func:`make_site_signing_key` from ``folder``.

    Kept in memory per folder while its files are unchanged (inode, size, mtime): parsing and checking
    an RSA 3072 key costs about 120 ms, too much for every certificate of a batch.

    :raises FileNotFoundError: a file is missing.
    :raises KeyRefused: the certificate expired or cannot sign.
    """
    folder = Path(folder).resolve()
    files = [folder / SIGNING_KEY, folder / SIGNING_CERT, folder / CA_CERT]
    stamp = (str(folder), *((st.st_ino, st.st_mtime_ns, st.st_size) for st in (f.stat() for f in files)))
    cached = _loaded.get(stamp)
    if cached is not None and cached.not_after > dt.datetime.now(dt.timezone.utc):
        return cached
    key = serialization.load_pem_private_key(files[0].read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(files[1].read_bytes())
    chain = x509.load_pem_x509_certificates(files[2].read_bytes()) if files[2].stat().st_size else []
    _check_usable(key, cert)
    loaded = _build(key, cert, chain)
    with _loaded_lock:
        for old in [k for k in _loaded if k[0] == str(folder)]:
            del _loaded[old]
        _loaded[stamp] = loaded
    return loaded


def ensure_site_signing_key(folder: Path, institute_name: str, *, algorithm: str = "rsa",
                            wait: float = 10.0) -> SigningKey:
    """The site's signing key: loaded from ``folder`` if it is there, created otherwise.

    Safe for concurrent workers: one creates the key, the others wait up to ``wait`` seconds for
    its last file (the signing certificate) and load it.
    """
    folder = Path(folder)
    if not (folder / SIGNING_CERT).exists():
        try:
            return make_site_signing_key(folder, institute_name, algorithm=algorithm)
        except FileExistsError:
            deadline = time.monotonic() + wait
            while not (folder / SIGNING_CERT).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
    return load_signing_key(folder)


def load_pkcs12(data: bytes, password: str, *, now: dt.datetime | None = None) -> SigningKey:
    """Read an uploaded PKCS#12 (``.p12``/``.pfx``) file's key, certificate and chain.

    The first self-signed certificate of the chain becomes ``ca_certificate`` (the trust root for
    :func:`.signing.validate`); without one, signatures validate as intact but not trusted.

    :raises KeyRefused: with ``code`` ``wrong_password`` (or the file is damaged), ``unreadable``
        (not PKCS#12), ``no_private_key``, ``no_certificate``, ``key_mismatch``, ``expired``,
        ``not_yet_valid``, ``not_for_signing`` or ``unsupported_key``; the message is translated.
    """
    try:
        private_key, cert, others = pkcs12.load_key_and_certificates(
            data, password.encode("utf-8") if password else None)
    except ValueError as error:
        text = str(error).lower()
        if "password" in text or "mac" in text or "decrypt" in text:
            raise KeyRefused("wrong_password", gettext(
                "The password is wrong, or the file is damaged.")) from error
        raise KeyRefused("unreadable", gettext(
            "The file is not a PKCS#12 certificate file (.p12 or .pfx).")) from error
    if private_key is None:
        raise KeyRefused("no_private_key", gettext(
            "The file holds no private key: export the certificate together with its private key."))
    if cert is None:
        raise KeyRefused("no_certificate", gettext("The file holds a private key but no certificate."))
    _check_usable(private_key, cert, now)
    return _build(private_key, cert, list(others or []))


def install_pkcs12(folder: Path, data: bytes, password: str) -> SigningKey:
    """Check an uploaded PKCS#12 with :func:`load_pkcs12`, then make it the folder's signing key.

    The key is written unencrypted as PEM, mode 0600, like the site's own (the keys folder is the
    secret); the certificate chain of the upload goes to ``ca-cert.pem``. The files in place
    before move to ``previous-<UTC time>/`` inside the folder, so earlier certificates stay
    verifiable with their own root (pass it to :func:`.signing.validate` as ``trust_roots``).

    :returns: the installed key, as :func:`load_signing_key` reads it from now on.
    :raises KeyRefused: as :func:`load_pkcs12`; nothing is changed then.
    """
    folder = Path(folder)
    uploaded = load_pkcs12(data, password)
    private_key, cert, others = pkcs12.load_key_and_certificates(
        data, password.encode("utf-8") if password else None)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    current = [folder / name for name in (CA_CERT, CA_KEY, SIGNING_CERT, SIGNING_KEY)
               if (folder / name).exists()]
    if current:
        backup = folder / f"previous-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%fZ}"
        backup.mkdir(mode=0o700)
        for path in current:
            path.rename(backup / path.name)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    _write_pem(folder / SIGNING_KEY, pem, private=True)
    _write_pem(folder / CA_CERT, b"".join(c.public_bytes(serialization.Encoding.PEM) for c in others or []),
               private=False)
    _write_pem(folder / SIGNING_CERT, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return uploaded
