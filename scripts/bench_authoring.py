"""Benchmark: validate and import courses/ and quizzes/, and a generated 100-module course.

Not a test: it prints figures (`make bench`). The code lives in lms.authoring.bench.
"""

from lms.authoring.bench import main

if __name__ == "__main__":
    main([])
