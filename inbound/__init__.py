"""What comes back from the outside world about our email: replies and their kind, and the
email provider's delivery events, parsed and judged without I/O.

Pure, like `campaigns`: the web service and the CLI feed it bytes and act on its verdicts
(docs/ARCHITECTURE.md, "Packages and what may import what").
"""
