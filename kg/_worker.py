"""`python -m kg._worker FD STORE LIMITS`: one query worker of kg.executor.ProcessPool (not run by hand)."""

import json
import sys

from kg.executor import Limits, worker_main

if __name__ == "__main__":
    worker_main(int(sys.argv[1]), sys.argv[2], Limits(**json.loads(sys.argv[3])))
