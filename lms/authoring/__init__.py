"""Courses as code: load course and question-bank YAML, validate it, and import it.

The pipeline is ``loader`` (YAML with positions) -> ``validate`` (pydantic models composed from
the activity and question type registries, plus cross-file checks) -> ``importer`` (immutable,
content-hashed versions in ``lms.catalog``).
"""
