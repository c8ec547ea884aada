"""Face verification (人证核验) for presence grants: the back office, not the kiosk, decides
whether the face at the glass is live and is the reference's.

model.py loads dlib's detector, its 5-point landmark model and its ResNet recogniser once
per process; images.py decodes what a kiosk or a chip sent, within limits; detect.py
finds exactly one face; embed.py and compare.py measure and decide; liveness.py checks a
head turn over a frame sequence; sequence.py puts them together for one challenge;
realperson.py is the provincial real-person service's adapter. Nothing here keeps a
frame or a template: they live in memory for one decision.
"""
