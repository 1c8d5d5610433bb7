"""Backups: ``lms backup DEST`` and ``lms restore ARCHIVE`` (see ``archive.py``)."""
