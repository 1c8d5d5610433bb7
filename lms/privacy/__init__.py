"""Privacy (GDPR): a person's own data as a page and a JSON file (``export.py``), erasure of a
person (``erasure.py``), and the retention of inactive accounts (``retention.py``).

It sits on the top layer of the features: it reads and erases the records of every one of
them. docs/privacy.md is the register of processing these modules follow.
"""
