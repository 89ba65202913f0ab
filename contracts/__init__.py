"""What crosses the line between workflows and activities, and between Winback's processes.

Workflows and activities both import these modules; neither imports the other's classes to
talk across it. Anything that starts or steers a workflow does so through a type name, an id
and a typed input from here (docs/ARCHITECTURE.md, "Packages and what may import what").

Everything here is part of workflow histories or of stored launch items: add fields only with
defaults, never rename or remove a field, a type name, a signal or a query.
"""
