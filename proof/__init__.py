"""Tools that prove the kiosk works: the scripted citizen, the UI driver, the
accessibility checker and the soak. Not part of the shipped kiosk."""
