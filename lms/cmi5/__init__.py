"""cmi5 course packages: a course (or one module) as a zip that another LMS imports.

``lms export cmi5 COURSE [MODULE]`` writes ``cmi5.xml`` (the course structure) and one
assignable unit (AU) per e-learning and per test: static HTML pages with a small cmi5
runtime of our own that talks to the importing LMS's LRS (docs/cmi5.md).
"""
