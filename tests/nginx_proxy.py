"""The shipped reverse-proxy configuration (deploy/nginx/chengmai-backoffice.conf) made
runnable by an unprivileged test: the same file with its documented placeholders (ports,
upstream, certificate, log folder) substituted, under a minimal main configuration whose
pid, logs and temporary files live in the test's own folder.

    proxy = NginxProxy(folder, upstream_port=8700, certificate=..., key=...).start()
    ... https://127.0.0.1:{proxy.https_port} ...
    proxy.stop()

Needs Debian's nginx (scripts/debian-packages.txt); `NGINX_MISSING` is the skip reason.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from devices.processes import stop_process

REPO = Path(__file__).resolve().parents[1]
PROXY_CONFIG = REPO / "deploy" / "nginx" / "chengmai-backoffice.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
NGINX_MISSING = "nginx not installed (Debian package nginx-light, in scripts/debian-packages.txt)"

# The installed values the test replaces, each expected exactly as many times as it appears
# in the shipped file: a renamed directive fails the rendering instead of going unnoticed.
HTTPS_LISTEN = "listen 443 ssl default_server;"
HTTP_LISTEN = "listen 80 default_server;"
UPSTREAM = "server 127.0.0.1:8700;"
CERTIFICATE = "ssl_certificate /etc/chengmai-kiosk/tls/backoffice.crt;"
CERTIFICATE_KEY = "ssl_certificate_key /etc/chengmai-kiosk/tls/backoffice.key;"
LOG_DIR = "/var/log/nginx/"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Chengmai County"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def write_test_pki(folder: Path) -> dict:
    """A test county CA and the back office's certificate it signed for 127.0.0.1/localhost:
    {ca, certificate (with the CA after it, as the county installs it), key, pin}."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Chengmai County test CA")).issuer_name(
        _name("Chengmai County test CA")).public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.subject)
              .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                          x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                             critical=False)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = {"ca": folder / "county-ca.pem", "certificate": folder / "backoffice.crt", "key": folder / "backoffice.key"}
    paths["ca"].write_bytes(ca.public_bytes(pem))
    paths["certificate"].write_bytes(server.public_bytes(pem) + ca.public_bytes(pem))
    paths["key"].write_bytes(server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    paths["key"].chmod(0o600)
    return {**paths, "pin": server.fingerprint(hashes.SHA256()).hex()}


class NginxDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _replace_once(text: str, old: str, new: str) -> str:
    count = text.count(old)
    if count != 1:
        raise ValueError(f"{PROXY_CONFIG.name}: expected `{old}` once, found it {count} times")
    return text.replace(old, new)


def render(text: str, *, https_port: int, http_port: int, upstream_port: int | list[int], certificate: Path,
           key: Path, log_dir: Path) -> str:
    """The shipped configuration's text with loopback ports and the test's files; several
    upstream ports are several back-office hosts, listed as the README says."""
    text = _replace_once(text, HTTPS_LISTEN, f"listen 127.0.0.1:{https_port} ssl default_server;")
    text = _replace_once(text, HTTP_LISTEN, f"listen 127.0.0.1:{http_port} default_server;")
    ports = upstream_port if isinstance(upstream_port, list) else [upstream_port]
    text = _replace_once(text, UPSTREAM, "\n    ".join(f"server 127.0.0.1:{port};" for port in ports))
    text = _replace_once(text, CERTIFICATE, f"ssl_certificate {certificate};")
    text = _replace_once(text, CERTIFICATE_KEY, f"ssl_certificate_key {key};")
    if LOG_DIR not in text:
        raise ValueError(f"{PROXY_CONFIG.name}: no access log under {LOG_DIR}")
    return text.replace(LOG_DIR, f"{log_dir}/")


def main_config(folder: Path, include: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf gives a site, with every file in `folder`."""
    temp = {name: folder / "temp" / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    # As root nginx's workers would drop to `nobody`, who cannot write the test's folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log info;\n"
            "events { worker_connections 64; }\n"
            "http {\n"
            f"    client_body_temp_path {temp['client_body']};\n    proxy_temp_path {temp['proxy']};\n"
            f"    fastcgi_temp_path {temp['fastcgi']};\n    uwsgi_temp_path {temp['uwsgi']};\n"
            f"    scgi_temp_path {temp['scgi']};\n"
            f"    access_log {folder}/default-access.log;\n"
            f"    include {include};\n"
            "}\n")


def check_config(folder: Path, main: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on a main configuration: the syntax, the files it names, the certificate."""
    assert NGINX is not None, NGINX_MISSING
    return subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(main), "-g", "daemon off;"],
                          capture_output=True, text=True)


def wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NginxDidNotStart(f"nginx exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            # nginx in the foreground says nothing when ready: its port accepting is the event.
            time.sleep(0.02)
    raise NginxDidNotStart(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f} s")


class NginxProxy:
    """The real nginx with the shipped site, as this test's own foreground process."""

    def __init__(self, folder: Path, upstream_port: int | list[int], certificate: Path, key: Path,
                 site: Path = PROXY_CONFIG):
        self.folder = Path(folder)
        self.site = site  # the shipped file, or a staged install's copy of it
        self.upstream_port = upstream_port
        self.certificate = certificate
        self.key = key
        self.https_port = free_port()
        self.http_port = free_port()
        self.access_log = self.folder / "chengmai-backoffice.access.log"
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def write_config(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        site = self.folder / "chengmai-backoffice.conf"
        site.write_text(render(self.site.read_text(), https_port=self.https_port, http_port=self.http_port,
                               upstream_port=self.upstream_port, certificate=self.certificate, key=self.key,
                               log_dir=self.folder))
        main = self.folder / "nginx.conf"
        main.write_text(main_config(self.folder, site))
        return main

    def start(self, timeout: float = 20.0) -> "NginxProxy":
        assert NGINX is not None, NGINX_MISSING
        main = self.write_config()
        checked = check_config(self.folder, main)
        if checked.returncode != 0:
            raise NginxDidNotStart(checked.stderr)
        self._process = subprocess.Popen([NGINX, "-p", str(self.folder), "-c", str(main), "-g", "daemon off;"],
                                         stdout=subprocess.DEVNULL, stderr=open(self.folder / "stderr.log", "ab"))
        try:
            wait_for_port(self.https_port, self._process, timeout)
            wait_for_port(self.http_port, self._process, timeout)
        except NginxDidNotStart:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        stop_process(self._process)  # SIGTERM: nginx's fast shutdown
        self._process = None

    def __enter__(self) -> "NginxProxy":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
