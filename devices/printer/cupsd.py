"""A private CUPS scheduler with a cups-pdf queue: for tests, benchmarks and a demo kiosk
without a real A4 printer. Everything lives in one folder (config, spool, logs, a Unix
socket); nothing under /etc/cups is touched and the system's own cupsd, if any, is left
alone. cups-pdf itself runs only as root and writes to `Out` of /etc/cups/cups-pdf.conf
(by default ~/PDF of the submitting user): `output_dir()` says where.
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

from devices.processes import stop_process

CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")


class CupsUnavailable(RuntimeError):
    pass


class PrivateCupsd:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.socket = self.root / "cups.sock"
        self._process: subprocess.Popen | None = None

    @staticmethod
    def missing() -> str:
        """Why a private cupsd with cups-pdf cannot run here ("" when it can)."""
        for tool in ("cupsd", "lpadmin"):
            if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
                return f"{tool} not installed (Debian packages cups, cups-client)"
        if not Path("/usr/lib/cups/backend/cups-pdf").exists() or not CUPS_PDF_PPD.exists():
            return "cups-pdf not installed (Debian package printer-driver-cups-pdf)"
        if os.geteuid() != 0:
            return "cups-pdf only runs under a cupsd started as root"
        return ""

    def start(self, timeout: float = 10.0) -> "PrivateCupsd":
        problem = self.missing()
        if problem:
            raise CupsUnavailable(problem)
        for sub in ("etc/ppd", "spool/tmp", "cache", "state", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # filters run as lp and must reach the spool
        for parent in self.root.parents:
            if not parent.stat().st_mode & 0o001:
                raise CupsUnavailable(f"{parent} is closed to the lp user; put the cupsd folder "
                                      "elsewhere (e.g. tempfile.mkdtemp())")
        (self.root / "etc" / "cups-files.conf").write_text(self._files_conf())
        (self.root / "etc" / "cupsd.conf").write_text(self._cupsd_conf())
        log = open(self.root / "log" / "cupsd.out", "wb")
        self._process = subprocess.Popen(
            [_tool("cupsd"), "-f", "-c", str(self.root / "etc" / "cupsd.conf"),
             "-s", str(self.root / "etc" / "cups-files.conf")],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while not self.socket.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise CupsUnavailable(f"cupsd did not start; see {self.root / 'log'}")
            time.sleep(0.05)
        return self

    def add_pdf_queue(self, name: str = "KioskPDF") -> str:
        # pdftocairo keeps the text of our PDFs through CUPS' PostScript step (ghostscript
        # loses the CJK text mapping), so the PDF that comes out can be read back.
        subprocess.run([_tool("lpadmin"), "-h", str(self.socket), "-p", name, "-E",
                        "-v", "cups-pdf:/", "-P", str(CUPS_PDF_PPD),
                        "-o", "pdftops-renderer-default=pdftocairo",
                        "-o", "printer-error-policy=abort-job"],
                       check=True, capture_output=True, timeout=30)
        return name

    def stop(self) -> None:
        stop_process(self._process)
        self._process = None

    def __enter__(self) -> "PrivateCupsd":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def _files_conf(self) -> str:
        r = self.root
        return "\n".join([
            f"ServerRoot {r}/etc", f"RequestRoot {r}/spool", f"TempDir {r}/spool/tmp",
            f"CacheDir {r}/cache", f"StateDir {r}/state", f"ErrorLog {r}/log/error_log",
            f"AccessLog {r}/log/access_log", f"PageLog {r}/log/page_log",
            "ServerBin /usr/lib/cups", "DataDir /usr/share/cups",
            "User lp", "Group lp", "SystemGroup root", "",
        ])

    def _cupsd_conf(self) -> str:
        # Only a Unix socket: nothing reachable from the network.
        return "\n".join([
            f"Listen {self.socket}", "LogLevel info", "WebInterface No", "Browsing No",
            "MaxJobTime 60", "PreserveJobHistory Yes", "PreserveJobFiles No",
            "<Location />", "  Order allow,deny", "  Allow all", "</Location>",
            "<Policy default>", "  <Limit All>", "    Order deny,allow", "  </Limit>", "</Policy>", "",
        ])


def output_dir(user: str | None = None) -> Path:
    """Where cups-pdf puts a user's PDFs, from `Out` in /etc/cups/cups-pdf.conf."""
    entry = pwd.getpwnam(user) if user else pwd.getpwuid(os.getuid())
    out = "${HOME}/PDF"
    if CUPS_PDF_CONF.exists():
        for line in CUPS_PDF_CONF.read_text(errors="replace").splitlines():
            match = re.match(r"\s*Out\s+(\S+)", line)
            if match:
                out = match.group(1)
    return Path(out.replace("${HOME}", entry.pw_dir).replace("${USER}", entry.pw_name))


def _tool(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"
