"""The kiosk as the county's IT sees it: fleet commands and their worker, the
readiness report, the diagnostics bundle."""
