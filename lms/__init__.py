"""Connectoo LMS: a learning-management system as a Flask extension."""

from lms.app import create_app
from lms.extension import LMS

__all__ = ["LMS", "create_app"]
