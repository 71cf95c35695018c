"""Ed25519 signing keys: made and kept in the user's config folder, never in a session.

A key is a pair of files in ``<config>/K-Perf Lab/keys/``: ``NAME.key`` (the private key, PKCS#8
PEM, readable by its owner only, encrypted when a passphrase was given) and ``NAME.pub`` (the
public key, SubjectPublicKeyInfo PEM). ``<config>`` is ``$XDG_CONFIG_HOME`` or ``~/.config`` on
Linux, ``%APPDATA%`` on Windows, ``~/Library/Application Support`` on macOS; the app keeps its
settings in the same ``K-Perf Lab`` folder. A key can also be a private key file anywhere else
(a witness's USB stick). A key's fingerprint is the SHA-256 of its 32 raw public-key bytes.
"""
from __future__ import annotations

import base64
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

APP_FOLDER = "K-Perf Lab"
PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"
_BAD_NAME_CHARS = set('/\\:*?"<>|')


class KeyProblem(Exception):
    """A key cannot be made, found or read; the message says why and what to do."""


def config_dir() -> Path:
    """The user's config folder for K-Perf Lab (not created here)."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_FOLDER


def keys_dir() -> Path:
    """Where ``kperf keys new`` puts key pairs."""
    return config_dir() / "keys"


def fingerprint(public: Ed25519PublicKey) -> str:
    """The hex SHA-256 of the 32 raw public-key bytes."""
    return hashlib.sha256(raw_public(public)).hexdigest()


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_b64(public: Ed25519PublicKey) -> str:
    """The raw public key in base64, as signature files carry it."""
    return base64.b64encode(raw_public(public)).decode("ascii")


def public_from_b64(text: str) -> Ed25519PublicKey:
    """The public key from its base64 raw bytes; ValueError when it is not one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise ValueError("the public key is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"the public key is {len(raw)} bytes, not 32")
    return Ed25519PublicKey.from_public_bytes(raw)


def short_fingerprint(fp: str) -> str:
    """The first 128 bits of a fingerprint in groups of four, for people to compare aloud."""
    head = fp[:32]
    return " ".join(head[i:i + 4] for i in range(0, len(head), 4))


def check_name(name: str) -> str:
    """A key name: 1-64 characters, no path separators or characters Windows forbids in file
    names, no control characters, not starting with a dot. Returns it stripped."""
    name = name.strip()
    if not name or len(name) > 64:
        raise KeyProblem("A key name must be 1-64 characters.")
    if name.startswith(".") or any(c in _BAD_NAME_CHARS or ord(c) < 32 for c in name):
        raise KeyProblem(f"The key name {name!r} cannot be a file name; use letters, digits, "
                        "spaces, '.', '_' or '-' (not starting with '.').")
    return name


@dataclass(frozen=True)
class StoredKey:
    """A key pair in the config folder."""

    name: str
    private_path: Path
    public_path: Path
    fingerprint: str


@dataclass(frozen=True)
class SigningKey:
    """A loaded private key and who holds it."""

    name: str
    private: Ed25519PrivateKey
    source: Path

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)


def new_key(name: str, passphrase: bytes | None = None, folder: Path | None = None) -> StoredKey:
    """Make a key pair called ``name``; refuses to overwrite one."""
    name = check_name(name)
    folder = Path(folder) if folder is not None else keys_dir()
    private_path = folder / f"{name}{PRIVATE_SUFFIX}"
    public_path = folder / f"{name}{PUBLIC_SUFFIX}"
    if private_path.exists() or public_path.exists():
        raise KeyProblem(f"A key called {name!r} already exists in {folder}; choose another name.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder, 0o700)
    except OSError as exc:
        raise KeyProblem(f"The key folder {folder} cannot be created ({exc.strerror}).") from None
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase
        else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            encryption)
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        public_path.write_bytes(pub)
    except OSError as exc:
        private_path.unlink(missing_ok=True)
        raise KeyProblem(f"The key cannot be written to {folder} ({exc.strerror}).") from None
    return StoredKey(name, private_path, public_path, fingerprint(key.public_key()))


def list_keys(folder: Path | None = None) -> list[StoredKey]:
    """The key pairs in the config folder, by name; a pair whose public key cannot be read is
    listed with an empty fingerprint."""
    folder = Path(folder) if folder is not None else keys_dir()
    if not folder.is_dir():
        return []
    out = []
    for private_path in sorted(folder.glob(f"*{PRIVATE_SUFFIX}")):
        name = private_path.name[: -len(PRIVATE_SUFFIX)]
        public_path = private_path.with_name(f"{name}{PUBLIC_SUFFIX}")
        try:
            pub = serialization.load_pem_public_key(public_path.read_bytes())
            fp = fingerprint(pub) if isinstance(pub, Ed25519PublicKey) else ""
        except (OSError, ValueError, UnsupportedAlgorithm):
            fp = ""
        out.append(StoredKey(name, private_path, public_path, fp))
    return out


def is_encrypted(path: Path) -> bool:
    """Whether a PEM private key file needs a passphrase."""
    try:
        return b"ENCRYPTED PRIVATE KEY" in Path(path).read_bytes()[:200]
    except OSError:
        return False


def load_key(spec: str | None, ask_passphrase: Callable[[str], bytes | None] | None = None,
             folder: Path | None = None, name: str | None = None) -> SigningKey:
    """The signing key named ``spec``: a key from :func:`list_keys`, or a private key file;
    without ``spec``, the only key in the config folder. ``ask_passphrase(what)`` is called for
    an encrypted key. ``name`` overrides the signer's name (a file key is named after its file
    otherwise)."""
    keys = list_keys(folder)
    if spec is None:
        if not keys:
            raise KeyProblem("There is no signing key yet. Make one with: kperf keys new NAME "
                            "(or give a key file with --key FILE).")
        if len(keys) > 1:
            raise KeyProblem("There are several keys (" + ", ".join(k.name for k in keys) +
                            "); choose one with --key NAME.")
        stored = keys[0]
        return _read(stored.private_path, name or stored.name, ask_passphrase)
    for stored in keys:
        if stored.name == spec:
            return _read(stored.private_path, name or stored.name, ask_passphrase)
    path = Path(spec).expanduser()
    if path.is_file():
        stem = path.name[: -len(PRIVATE_SUFFIX)] if path.name.endswith(PRIVATE_SUFFIX) else path.stem
        return _read(path, name or stem, ask_passphrase)
    known = ", ".join(k.name for k in keys) or "none"
    raise KeyProblem(f"No key called {spec!r} and no such file. Keys: {known} (kperf keys list).")


def _read(path: Path, name: str, ask: Callable[[str], bytes | None] | None) -> SigningKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyProblem(f"The key file {path} cannot be read ({exc.strerror}).") from None
    passphrase = None
    if b"ENCRYPTED PRIVATE KEY" in data[:200]:
        passphrase = ask(str(path)) if ask is not None else None
        if not passphrase:
            raise KeyProblem(f"The key {path} is protected by a passphrase; give it when asked.")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError:
        raise KeyProblem(f"The key {path} is protected by a passphrase; give it when asked.") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        wrong = passphrase is not None and "password" in str(exc).lower() or "decrypt" in str(exc).lower()
        if wrong:
            raise KeyProblem(f"The passphrase for {path} is wrong.") from None
        raise KeyProblem(f"{path} is not a PEM private key file ({exc}).") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an Ed25519 key; make one with kperf keys new NAME.")
    return SigningKey(check_name(name), key, path)
