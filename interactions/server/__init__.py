"""check-meds as an HTTP service: CDS Hooks 2.0 and a plain JSON API (the ``server`` extra).

Thin over the same library API as the command line: the knowledge base is
loaded once per worker process, each request calls :func:`interactions.check`,
and the JSON API answers the command line's own document. Nothing in this
package is imported by a check on the command line.
"""
