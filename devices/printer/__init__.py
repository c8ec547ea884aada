"""Printers: the receipt printer (ESC/POS through python-escpos over USB, serial, network
or file) and the document printer (A4 PDF through CUPS)."""
from .profile import ReceiptPrinterProfile
from .receipt import PrintResult, ReceiptPrinter

__all__ = ["PrintResult", "ReceiptPrinter", "ReceiptPrinterProfile"]
