"""Service account keys: a real RSA key pair per key. The private key leaves the emulator once,
in the create answer (a JSON key file, as Google's); only the public certificate is kept.

Facts, with their sources:
- at most 10 keys per service account; one more answers HTTP 400 FAILED_PRECONDITION
  "Precondition check failed." (limit: https://cloud.google.com/iam/docs/keys-create-delete#creating
  as quoted in firebase/firebase-tools#6192, which also quotes the error body; the same
  message in googleapis/google-api-dotnet-client#2027).
- key ids are 40 hex digits and user-managed keys were valid for 10 years (the key listing
  in hail-is/hail#4725: "b40af77faec8907a02862b284663efbb4b84c954  2017-07-20T17:42:59Z
  2027-07-18T17:42:59Z").
- the JSON key file's fields are those google.oauth2.service_account reads
  (type, project_id, private_key_id, private_key, client_email, client_id, token_uri, ...).
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
import threading
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from gkeplan_emulator.errors import ApiError, invalid_argument, not_found

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

MAX_KEYS_PER_ACCOUNT = 10
KEY_VALIDITY = datetime.timedelta(days=3650)
PRIVATE_KEY_TYPES = ("TYPE_UNSPECIFIED", "TYPE_PKCS12_FILE", "TYPE_GOOGLE_CREDENTIALS_FILE")
KEY_ALGORITHMS = ("KEY_ALG_UNSPECIFIED", "KEY_ALG_RSA_1024", "KEY_ALG_RSA_2048")


def _enum(values: tuple[str, ...], value: Any, field: str) -> str:
    if value in (None, ""):
        return values[0]
    if isinstance(value, int) or str(value).isdigit():
        if 0 <= int(value) < len(values):
            return values[int(value)]
    elif str(value) in values:
        return str(value)
    raise invalid_argument(f"Invalid value at '{field}' ({value}).")


def _stamp(when: datetime.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _key_pair(unique_id: str, bits: int, now: datetime.datetime) -> tuple[bytes, bytes]:
    """(private key PKCS#8 PEM, self-signed X.509 certificate PEM). The certificate names the
    account by its unique id: an email can exceed X.509's 64-character common name."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, unique_id)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + KEY_VALIDITY)
        .sign(key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return private, cert.public_bytes(serialization.Encoding.PEM)


class KeyStore:
    """Keys by account email; each entry is the ServiceAccountKey JSON minus private data."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.keys: dict[str, dict[str, dict[str, Any]]] = {}  # email -> key id -> key
        self._lock = threading.Lock()

    def create(self, sa: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        key_type = _enum(PRIVATE_KEY_TYPES, body.get("privateKeyType"), "private_key_type")
        algorithm = _enum(KEY_ALGORITHMS, body.get("keyAlgorithm"), "key_algorithm")
        if key_type == "TYPE_PKCS12_FILE":
            raise ApiError(
                "UNIMPLEMENTED",
                "Method google.iam.admin.v1.IAM.CreateServiceAccountKey with privateKeyType "
                "TYPE_PKCS12_FILE is not implemented by the emulator.",
                501,
            )
        email = sa["email"]
        with self._lock:
            if len(self.keys.get(email, {})) >= MAX_KEYS_PER_ACCOUNT:
                raise ApiError("FAILED_PRECONDITION", "Precondition check failed.", 400)
        now = datetime.datetime.fromtimestamp(int(self.backend.clock.now()), datetime.UTC)
        bits = 1024 if algorithm == "KEY_ALG_RSA_1024" else 2048
        private_pem, cert_pem = _key_pair(sa["uniqueId"], bits, now)
        key_id = secrets.token_hex(20)
        key = {
            "name": f"{sa['name']}/keys/{key_id}",
            "validAfterTime": _stamp(now),
            "validBeforeTime": _stamp(now + KEY_VALIDITY),
            "keyAlgorithm": "KEY_ALG_RSA_1024" if bits == 1024 else "KEY_ALG_RSA_2048",
            "keyOrigin": "GOOGLE_PROVIDED",
            "keyType": "USER_MANAGED",
            "publicKeyData": base64.b64encode(cert_pem).decode(),
        }
        with self._lock:
            held = self.keys.setdefault(email, {})
            if len(held) >= MAX_KEYS_PER_ACCOUNT:  # a concurrent create took the last slot
                raise ApiError("FAILED_PRECONDITION", "Precondition check failed.", 400)
            held[key_id] = key
        key_file = {
            "type": "service_account",
            "project_id": sa["projectId"],
            "private_key_id": key_id,
            "private_key": private_pem.decode(),
            "client_email": email,
            "client_id": sa["uniqueId"],
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }
        created = {k: v for k, v in key.items() if k != "publicKeyData"}
        created["privateKeyType"] = "TYPE_GOOGLE_CREDENTIALS_FILE"
        created["privateKeyData"] = base64.b64encode(json.dumps(key_file).encode()).decode()
        return created

    def list_(self, email: str) -> list[dict[str, Any]]:
        with self._lock:
            return [self.view(k) for k in self.keys.get(email, {}).values()]

    def get(self, email: str, key_id: str, public: bool = True) -> dict[str, Any]:
        with self._lock:
            key = self.keys.get(email, {}).get(key_id)
        if key is None:
            raise not_found(f"Service account key {key_id} does not exist.")
        return self.view(key, public=public)

    def delete(self, email: str, key_id: str) -> None:
        with self._lock:
            if self.keys.get(email, {}).pop(key_id, None) is None:
                raise not_found(f"Service account key {key_id} does not exist.")

    def set_disabled(self, email: str, key_id: str, disabled: bool) -> None:
        with self._lock:
            key = self.keys.get(email, {}).get(key_id)
            if key is None:
                raise not_found(f"Service account key {key_id} does not exist.")
            if disabled:
                key["disabled"] = True
            else:
                key.pop("disabled", None)

    def drop_account(self, email: str) -> None:
        with self._lock:
            self.keys.pop(email, None)

    @staticmethod
    def view(key: dict[str, Any], public: bool = False) -> dict[str, Any]:
        return {k: v for k, v in key.items() if public or k != "publicKeyData"}

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {e: dict(ks) for e, ks in self.keys.items()}

    def load(self, data: dict[str, Any]) -> None:
        with self._lock:
            self.keys = {e: dict(ks) for e, ks in (data or {}).items()}
