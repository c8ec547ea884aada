"""Printers: the receipt printer (ESC/POS through python-escpos)."""
from .receipt import PrintResult, ReceiptPrinter, ReceiptPrinterProfile

__all__ = ["PrintResult", "ReceiptPrinter", "ReceiptPrinterProfile"]
