"""Sign the imaging models of a models folder, or make a signing key. For model makers and the release.

    python -m emsync_desktop.ml.sign keygen ~/keys/vendor-models.pem      # prints its public key + fingerprint
    python -m emsync_desktop.ml.sign sign --key ~/keys/vendor-models.pem [--models DIR]
    python -m emsync_desktop.ml.sign verify [--models DIR]     # every imaging model signed by a project key?

``sign`` checks every file an entry names against its sha256 first (a signature over a wrong hash would
vouch for nothing), then signs each ``imaging.models[]`` entry of ``DIR/manifest.json`` in place (atomic).
The key's passphrase, if any, comes from ``$EMSYNC_MODEL_KEY_PASSPHRASE``. Keys never go in the repo.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from pathlib import Path
from typing import Any

from emsync_desktop.ml.registry import (
    MANIFEST_NAME,
    ModelUnavailable,
    default_models_dir,
    load_manifest,
    verified_model_bytes,
)
from emsync_desktop.ml.signing import (
    TrustedKeys,
    check_signature,
    files_named,
    fingerprint,
    new_private_key_pem,
    project_keys,
    public_key_of,
    sign_entry,
    triage_files,
)


def sign_folder(models_dir: Path, private_key_pem: bytes, passphrase: str | None = None,
                which: tuple[str, ...] = ("imaging", "triage")) -> list[str]:
    """Sign every imaging entry and the triage section in ``models_dir`` (or only the sections in ``which``);
    returns what was signed. Raises ``ModelUnavailable`` if a file does not match its hash (nothing is
    written then)."""
    path = models_dir / MANIFEST_NAME
    manifest = json.loads(path.read_text("utf-8"))
    models = manifest.get("imaging", {}).get("models", []) if "imaging" in which else []
    for entry in models:
        for named in files_named(entry):
            verified_model_bytes(models_dir, named)
    triage = manifest.get("triage") if "triage" in which else None
    for named in triage_files(triage) if isinstance(triage, dict) else []:
        verified_model_bytes(models_dir, named)
    if models:
        manifest["imaging"]["models"] = [sign_entry(e, private_key_pem, passphrase) for e in models]
    if isinstance(triage, dict):
        manifest["triage"] = sign_entry(triage, private_key_pem, passphrase)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
    os.replace(temporary, path)
    return [str(e["name"]) for e in models] + ([f"triage {triage.get('version', '?')}"] if isinstance(triage, dict)
                                               else [])


def verify_folder(models_dir: Path) -> int:
    """0 if every imaging entry and the triage section are signed by a project key and their files match;
    else 1, saying which."""
    trusted = TrustedKeys(project_keys())
    manifest = load_manifest(models_dir)
    signed: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
        (str(e.get("name", "?")), e, files_named(e)) for e in manifest.get("imaging", {}).get("models", [])]
    if isinstance(manifest.get("triage"), dict):
        signed.append(("triage models", manifest["triage"], triage_files(manifest["triage"])))
    failures = 0
    for name, entry, files in signed:
        try:
            signer = check_signature(entry, trusted, name=name)
            for named in files:
                verified_model_bytes(models_dir, named)
            print(f"{name}: signed by project key {fingerprint(signer)}, files match")
        except ModelUnavailable as exc:
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emsync_desktop.ml.sign", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="write a new Ed25519 private key (PEM) and print its public key")
    keygen.add_argument("key_file", type=Path)
    sign = sub.add_parser("sign", help="sign the imaging models of a models folder")
    sign.add_argument("--key", type=Path, required=True, help="the private key (PEM)")
    sign.add_argument("--models", type=Path, default=default_models_dir())
    verify = sub.add_parser("verify", help="exit 1 unless every imaging model is validly signed by a project key "
                            "(the release build runs this)")
    verify.add_argument("--models", type=Path, default=default_models_dir())
    args = parser.parse_args(argv)
    if args.command == "verify":
        return verify_folder(args.models)
    passphrase = os.environ.get("EMSYNC_MODEL_KEY_PASSPHRASE") or None
    if args.command == "keygen":
        if args.key_file.exists():
            print(f"error: {args.key_file} exists; not overwritten", file=sys.stderr)
            return 2
        pem = new_private_key_pem(passphrase)
        args.key_file.touch(mode=0o600)
        args.key_file.write_bytes(pem)
        public = public_key_of(pem, passphrase)
        print(f"public key (a .pub file's line): {base64.b64encode(public).decode()}\n"
              f"fingerprint (tell admins):        {fingerprint(public)}")
        return 0
    try:
        names = sign_folder(args.models, args.key.read_bytes(), passphrase)
    except (OSError, ValueError, ModelUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    public = public_key_of(args.key.read_bytes(), passphrase)
    print(f"signed {', '.join(names) or 'nothing (no imaging models)'} with key {fingerprint(public)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
