"""The emulators' own certificate authority, for the endpoints AWS serves only over TLS.

ElastiCache with in-transit encryption answers TLS connections only
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html), with a certificate clients
verify against public CAs. The emulator's Redis servers do the same with a certificate of this local CA, and the
emulator's environment trusts it: ``SSL_CERT_FILE`` names a bundle of the CAs the machine trusts plus this one, so a
client verifies as it would on AWS, and nothing else changes.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import os
import pathlib
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALID_DAYS = 30


@dataclasses.dataclass(frozen=True)
class Files:
    ca: pathlib.Path  # the CA's certificate
    cert: pathlib.Path  # the servers' certificate (127.0.0.1, localhost) and its key
    key: pathlib.Path
    bundle: pathlib.Path  # the machine's trusted CAs and this CA: SSL_CERT_FILE of the emulator's clients


def files(directory: pathlib.Path) -> Files:
    return Files(*(directory / name for name in ("ca.pem", "server.pem", "server.key", "bundle.pem")))


def ensure(directory: pathlib.Path) -> Files:
    """The CA and the servers' certificate in ``directory``, made when missing or about to expire."""
    found = files(directory)
    if all(path.exists() for path in dataclasses.astuple(found)) and not _expiring(found.cert):
        return found
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ai_model_registry.infra emulator CA")])
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(*[False] * 5, True, True, False, False), critical=True)  # cert and CRL signing
        .sign(ca_key, hashes.SHA256())
    )
    server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    server = (
        _builder(server_name, ca_name, server_key.public_key(), now)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    found.ca.write_bytes(ca.public_bytes(pem))
    found.cert.write_bytes(server.public_bytes(pem))
    found.key.write_bytes(
        server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    found.key.chmod(0o600)
    system = _trusted_bundle(exclude=found.bundle)
    found.bundle.write_bytes((system.read_bytes() + b"\n" if system else b"") + found.ca.read_bytes())
    return found


def _builder(subject, issuer, public_key, now):
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
    )


def _expiring(cert: pathlib.Path) -> bool:
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    return loaded.not_valid_after_utc < datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)


def _trusted_bundle(exclude: pathlib.Path) -> pathlib.Path | None:
    """The CA file this machine's clients trust (SSL_CERT_FILE if set, else OpenSSL's default), not ``exclude``."""
    for candidate in (os.environ.get("SSL_CERT_FILE"), ssl.get_default_verify_paths().openssl_cafile):
        if candidate and pathlib.Path(candidate).is_file() and pathlib.Path(candidate).resolve() != exclude.resolve():
            return pathlib.Path(candidate)
    return None


def client_context(directory: pathlib.Path) -> ssl.SSLContext:
    """A client's TLS context that trusts the emulator's CA (for the emulator's own connections)."""
    return ssl.create_default_context(cafile=str(files(directory).ca))
