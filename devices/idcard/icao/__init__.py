"""ICAO 9303 ePassport access: Basic Access Control, secure messaging, the LDS files."""
