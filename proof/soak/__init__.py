"""The soak run: the whole kiosk offscreen against the real back office and the device
emulators, every citizen journey in a loop, with seeded random faults (paper out, cards
pulled, the network cut), checked for crashes, stuck screens, lost or duplicated cases and
growth in threads, file descriptors and memory. `python -m proof.soak --minutes 60`."""
