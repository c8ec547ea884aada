"""Wire formats of the back office's answers and request bodies, for /openapi.json.

The routes build their answers as dicts (views.py and the routes); these models document
them exactly (`Wire`: every member listed, no others) and are attached with
openapi_docs.answers(), which documents without filtering what is sent."""
