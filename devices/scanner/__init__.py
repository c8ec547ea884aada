"""Code scanners (QR and barcodes): one facade, backends chosen by the hardware profile:
camera (OpenCV + zxing-cpp or pyzbar), keyboard-wedge USB (evdev), serial, simulated."""
from .build import build_scanner
from .codes import ScannedCode, payload_text
from .facade import CodeScanned, Debouncer, Scanner, ScannerBackend

__all__ = ["CodeScanned", "Debouncer", "ScannedCode", "Scanner", "ScannerBackend", "build_scanner", "payload_text"]
