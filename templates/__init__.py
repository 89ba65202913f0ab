"""What to say: the Jinja2 message templates, `templates/<locale>/<name>.j2`.

Data only: `campaigns.templating` finds, validates and renders them (docs/ARCHITECTURE.md,
"How to add a playbook"). A package so that the files install with the code.
"""
